using Banyan.Cli;

return await BanyanCli.RunAsync(args);
