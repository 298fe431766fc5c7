using Banyan.Platform;
using Spectre.Console;

namespace Banyan.StaffConsole.Demo;

/// <summary>The console's part of <c>banyan demo</c>: where it is, how to sign in, and proof it answers.</summary>
internal static class ConsoleWalkthrough
{
    public static async Task RunAsync(DemoContext demo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(demo);
        var url = new Uri(demo.Api.BaseAddress!, "/console");
        using var anonymous = new HttpClient { BaseAddress = demo.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await anonymous.GetAsync(new Uri("/console/login", UriKind.Relative), cancellationToken);
        var time = demo.Services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        demo.Console.MarkupLine("[bold]Console[/] — the staff web console (MudBlazor, English / 简体中文)");
        demo.Console.MarkupLineInterpolated($"  GET /console/login: {(int)response.StatusCode} {response.ReasonPhrase}");
        var table = new Table().AddColumn("").AddColumn("");
        table.AddRow("URL", Markup.Escape(url.ToString()));
        table.AddRow("user", DemoStaff.UserName);
        table.AddRow("password", DemoStaff.Password);
        table.AddRow("TOTP secret (base32)", DemoStaff.TotpSecret);
        table.AddRow("code right now", DemoStaff.CurrentCode(time.GetUtcNow()));
        demo.Console.Write(table);
        demo.Console.MarkupLine("  [grey]Demo account only: every role, a published secret. Add it to an authenticator app or use the code above within 30 s.[/]");
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The console's login page answered {(int)response.StatusCode}.");
        }
    }
}
