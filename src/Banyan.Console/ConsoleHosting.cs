using Banyan.StaffConsole.Contracts;
using Banyan.StaffConsole.Staff;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Banyan.StaffConsole;

/// <summary>Maps the Blazor app, its static assets and the account endpoints onto the host.</summary>
internal static class ConsoleHosting
{
    public static void MapConsole(IEndpointRouteBuilder app)
    {
        ConsoleAssets.Map(app);
        ConsoleAuth.MapAccountEndpoints(app);
        ConsoleCulture.MapCultureEndpoint(app);
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .RequireAuthorization(ConsoleAuth.Policy)
            .ExcludeFromDescription();
    }
}
