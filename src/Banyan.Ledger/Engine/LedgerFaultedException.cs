namespace Banyan.Ledger;

/// <summary>
/// The engine hit an unexpected failure (a journal I/O error or an engine bug) and refuses further
/// work. Callers that were waiting get this exception; nothing they submitted was acknowledged. Restart
/// the process: recovery replays the journal to the last durable record.
/// </summary>
public sealed class LedgerFaultedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerFaultedException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public LedgerFaultedException() : base("The ledger engine has failed.") { }

    /// <summary>Creates the exception.</summary>
    public LedgerFaultedException(string message) : base(message) { }
}
