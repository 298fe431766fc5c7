using Banyan.Server;

return await BanyanServer.RunAsync(args);
