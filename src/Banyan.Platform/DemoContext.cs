using Spectre.Console;

namespace Banyan.Platform;

/// <summary>What a module's demo walk-through gets: a real HTTP client against the running host.</summary>
/// <param name="Api">Base address set to the host; carries a bearer token with every scope.</param>
/// <param name="Console">Where to print the walk-through (stderr-safe; stdout stays clean for <c>--json</c>).</param>
/// <param name="Services">The running host's services, for reading state the walk-through explains.</param>
public sealed record DemoContext(HttpClient Api, IAnsiConsole Console, IServiceProvider Services);
