using Banyan.Server;

return await BanyanServer.RunAsync(args);

/// <summary>The entry point; public so <c>WebApplicationFactory&lt;Program&gt;</c> can find it.</summary>
public partial class Program;
