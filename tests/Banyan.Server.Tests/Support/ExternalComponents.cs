namespace Banyan.Server.Tests.Support;

/// <summary>
/// The one place that decides what happens when a test needs something outside the process:
/// locally (CI unset) the test is skipped with the reason; under CI=true it fails.
/// </summary>
internal static class ExternalComponents
{
    public const string PostgresVariable = "BANYAN_TEST_POSTGRES";

    /// <summary>The PostgreSQL server connection string from <c>BANYAN_TEST_POSTGRES</c>; skips or fails the test when unset.</summary>
    public static string Postgres()
    {
        var connectionString = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        var reason = $"{PostgresVariable} is not set (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=banyan)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("CI=true requires PostgreSQL: " + reason);
        }

        Skip.If(true, "Skipped: " + reason);
        throw new InvalidOperationException("unreachable: Skip.If(true) throws");
    }
}
