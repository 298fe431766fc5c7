using Xunit;

namespace Banyan.Testing;

/// <summary>
/// The one place that decides what happens when a test needs something outside the process:
/// locally (CI unset) the test is skipped with the reason; under CI=true it fails.
/// </summary>
public static class ExternalComponents
{
    public const string PostgresVariable = "BANYAN_TEST_POSTGRES";
    public const string OpenApiLinterVariable = "BANYAN_OPENAPI_LINTER";

    /// <summary>The PostgreSQL server connection string from <c>BANYAN_TEST_POSTGRES</c>; skips or fails the test when unset.</summary>
    public static string Postgres()
    {
        var connectionString = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(connectionString)) return connectionString;
        return Missing("PostgreSQL", $"{PostgresVariable} is not set (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=banyan)");
    }

    /// <summary>The Redocly CLI that .ci/run installs (<c>BANYAN_OPENAPI_LINTER</c>); skips or fails the test when absent.</summary>
    public static string OpenApiLinter()
    {
        var path = Environment.GetEnvironmentVariable(OpenApiLinterVariable);
        if (!string.IsNullOrWhiteSpace(path) && File.Exists(path)) return path;
        return Missing("the OpenAPI linter", $"{OpenApiLinterVariable} is not set (.ci/run installs Redocly CLI and sets it)");
    }

    private static string Missing(string component, string reason)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"CI=true requires {component}: {reason}");
        Skip.If(true, "Skipped: " + reason);
        throw new InvalidOperationException("unreachable: Skip.If(true) throws");
    }
}
