module verdict

go 1.19
