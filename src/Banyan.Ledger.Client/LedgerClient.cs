namespace Banyan.Ledger.Client;

/// <summary>A client for a remote Banyan ledger.</summary>
public sealed class LedgerClient
{
}
