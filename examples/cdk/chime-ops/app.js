// An operations role that account principals may assume to manage Chime
// users. With `-c admin=true` the change under review adds an admin grant.
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');

const app = new cdk.App();
const stack = new cdk.Stack(app, 'ChimeOps');

const ops = new iam.Role(stack, 'ChimeOps', {
  roleName: 'chime-ops',
  assumedBy: new iam.AccountRootPrincipal(),
});
ops.addToPolicy(new iam.PolicyStatement({
  actions: ['chime:ListUsers', 'chime:GetUser', 'chime:UpdateUser'],
  resources: ['*'],
}));
const oncall = new iam.User(stack, 'Oncall', { userName: 'oncall' });
oncall.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [ops.roleArn] }));

if (app.node.tryGetContext('admin') === 'true') {
  ops.addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }));
}
