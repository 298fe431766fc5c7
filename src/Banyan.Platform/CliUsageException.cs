namespace Banyan.Platform;

/// <summary>
/// Thrown by a CLI command when the call's words are wrong (a missing file argument, an option out of
/// range). The CLI prints the message on one line and exits with code 2; any other exception exits 1.
/// </summary>
public sealed class CliUsageException(string message) : Exception(message);
