namespace Banyan.Ledger.Http.ReadModels;

/// <summary>
/// Which events of a commit created something: the journal holds events as submitted, so an event
/// created its object iff looking its id up returns an object with the event's engine timestamp
/// (docs/ledger-journal.md "Journal stream"). The stored object is what the read models keep.
/// </summary>
internal static class CommitProjection
{
    private const int LookupChunk = 4096;

    public static async Task<List<Account>> CreatedAccountsAsync(LedgerEngine engine, LedgerCommit commit, CancellationToken cancellationToken)
    {
        var ids = commit.Requests.SelectMany(r => r.Accounts.Select(a => a.Id)).Distinct().ToArray();
        var found = new Dictionary<UInt128, Account>();
        foreach (var chunk in ids.Chunk(LookupChunk))
            foreach (var a in await engine.LookupAccountsAsync(chunk, cancellationToken)) found[a.Id] = a;
        var created = new List<Account>();
        foreach (var request in commit.Requests)
            for (var i = 0; i < request.Accounts.Count; i++)
                if (found.TryGetValue(request.Accounts[i].Id, out var a) && a.Timestamp == request.EventTimestamp(i)) created.Add(a);
        return created;
    }

    public static async Task<List<Transfer>> CreatedTransfersAsync(LedgerEngine engine, LedgerCommit commit, CancellationToken cancellationToken)
    {
        var ids = commit.Requests.SelectMany(r => r.Transfers.Select(t => t.Id)).Distinct().ToArray();
        var found = await LookupTransfersAsync(engine, ids, cancellationToken);
        var created = new List<Transfer>();
        foreach (var request in commit.Requests)
            for (var i = 0; i < request.Transfers.Count; i++)
                if (found.TryGetValue(request.Transfers[i].Id, out var t) && t.Timestamp == request.EventTimestamp(i)) created.Add(t);
        return created;
    }

    public static async Task<Dictionary<UInt128, Transfer>> LookupTransfersAsync(LedgerEngine engine, IEnumerable<UInt128> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<UInt128, Transfer>();
        foreach (var chunk in ids.Distinct().Chunk(LookupChunk))
            foreach (var t in await engine.LookupTransfersAsync(chunk, cancellationToken)) found[t.Id] = t;
        return found;
    }
}
