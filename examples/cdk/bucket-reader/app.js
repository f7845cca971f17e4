// A bucket whose objects a Lambda role reads, and a group of auditors who
// may list Chime users: grants made the CDK way (`grantRead`, `addToPolicy`).
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const s3 = require('aws-cdk-lib/aws-s3');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'BucketReader');

const bucket = new s3.Bucket(stack, 'Reports');
const reader = new iam.Role(stack, 'ReportReader', {
  assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
});
bucket.grantRead(reader);

const auditors = new iam.Group(stack, 'Auditors');
const audit = new iam.ManagedPolicy(stack, 'AuditChime', {
  statements: [
    new iam.PolicyStatement({ actions: ['chime:List*', 'chime:Get*'], resources: ['*'] }),
  ],
});
auditors.addManagedPolicy(audit);
const alice = new iam.User(stack, 'Alice', { userName: 'alice' });
auditors.addUser(alice);
