using Banyan.Lending.Schedules;
using Banyan.Lending.Close;
using Banyan.Ledger;

namespace Banyan.Lending.Book;

internal sealed partial class LoanBook
{
    /// <summary>
    /// Opens the book kept in <paramref name="directory"/>: reads the journal, takes the epoch (and so
    /// every ledger id) from its first line, and replays every step with ledger postings switched off.
    /// A new directory gets a new epoch from <paramref name="time"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A journaled step does not replay (the journal does not belong to this code or was edited).</exception>
    public static async Task<LoanBook> OpenAsync(LedgerEngine ledger, uint ledgerId, string directory, ClassificationRules rules, TimeProvider time, CancellationToken cancellationToken)
    {
        var (journal, entries) = BookJournal.Open(directory);
        var header = entries.FirstOrDefault();
        if (header is not null && header.Kind != "book") throw new InvalidDataException($"{BookJournal.FileName} does not start with a book header");
        var epoch = header?.Epoch ?? checked((uint)time.GetUtcNow().ToUnixTimeSeconds());
        var chart = new LendingChart(header?.Ledger ?? ledgerId, epoch);
        var book = new LoanBook(ledger, chart, rules);
        StandardProducts.AddTo(book);
        if (header is null) journal.Append(new JournalEntry { Kind = "book", Epoch = epoch, Ledger = chart.Ledger });
        var resolutions = await book.ReplayAllAsync(entries, cancellationToken).ConfigureAwait(false);
        book._journal = journal;
        book.WriteResolutions(resolutions);
        await book.FenceAsync(cancellationToken).ConfigureAwait(false);
        return book;
    }

    /// <summary>
    /// Replays every step with ledger postings switched off. Write-ahead steps (decision 0504) are
    /// resolved by a later <c>done</c> (replayed), an <c>abort</c> (skipped), or — when the journal
    /// ends before either, i.e. a crash between the journal line and the ledger's answer — by asking
    /// the ledger for the step's first transfer: present, the step is completed in the book; absent,
    /// it is dropped. Closes always ask the ledger, chunk by chunk (a stopped close keeps only the
    /// chunks the ledger accepted). Returns the resolutions to journal for the unresolved steps.
    /// </summary>
    private async Task<List<(long Start, bool Completed)>> ReplayAllAsync(List<JournalEntry> entries, CancellationToken ct)
    {
        var (aborted, unresolved) = Resolve(entries);
        var resolutions = new List<(long Start, bool Completed)>();
        _replaying = true;
        try
        {
            foreach (var entry in entries.Skip(1))
            {
                if (entry.Kind is "done" or "abort") continue;
                if (entry.Start is not { } start)
                {
                    await ReplayAsync(entry, tolerateRefusal: false, ct).ConfigureAwait(false);
                    _transferSequence = entry.Seq;
                    continue;
                }
                if (aborted.Contains(start)) continue;
                var verify = unresolved.Contains(start);
                _transferSequence = start;
                _verifying = verify || entry.Kind == "close";
                var completed = await ReplayAsync(entry, tolerateRefusal: verify, ct).ConfigureAwait(false);
                if (verify) resolutions.Add((start, completed));
            }
        }
        finally
        {
            _replaying = false;
            _verifying = false;
        }
        return resolutions;
    }

    /// <summary>Write-ahead steps refused (abort lines) and steps with no done line after them.</summary>
    private static (HashSet<long> Aborted, HashSet<long> Unresolved) Resolve(List<JournalEntry> entries)
    {
        var aborted = new HashSet<long>();
        var pending = new HashSet<long>();
        foreach (var e in entries)
        {
            if (e.Kind == "abort" && e.Start is { } a) aborted.Add(a);
            else if (e.Kind == "done") pending.Clear();
            else if (e.Start is { } s) pending.Add(s);
        }
        pending.ExceptWith(aborted);
        return (aborted, pending);
    }

    private void WriteResolutions(List<(long Start, bool Completed)> resolutions)
    {
        if (resolutions.Count == 0) return;
        foreach (var (start, completed) in resolutions)
        {
            if (!completed) Abort(start);
        }
        Done();
        SyncJournal();
    }

    /// <summary>
    /// After replay no lending transfer may exist beyond the book's sequence: if one does, the ledger
    /// holds a step the journal does not know (a journal from before decision 0504, or an edited one).
    /// </summary>
    private async Task FenceAsync(CancellationToken ct)
    {
        var probe = new UInt128[16];
        for (var i = 0; i < probe.Length; i++) probe[i] = Chart.Transfer(_transferSequence + 1 + i);
        var found = await _ledger.LookupTransfersAsync(probe, ct).ConfigureAwait(false);
        if (found.Length > 0)
            throw new InvalidDataException($"the ledger holds lending transfer {found[0].Id} beyond the book journal's sequence {_transferSequence}; the journal is incomplete");
    }

    /// <summary>Replays one step; true if it applied. A refusal is an error unless the step is being verified against the ledger.</summary>
    private async Task<bool> ReplayAsync(JournalEntry e, bool tolerateRefusal, CancellationToken ct)
    {
        var (ok, detail) = e.Kind switch
        {
            "product" => Check(AddProduct(e.Product ?? throw new InvalidDataException("product entry without product"))),
            "customer" => Check(await OpenCustomerAsync(e.Reference!, ct).ConfigureAwait(false)),
            "cash" => await ReplayCashAsync(e, ct).ConfigureAwait(false),
            "loan" => Check(await DisburseAsync(new LoanApplication(e.Reference!, e.ProductCode!, e.Amount, e.Instalments, e.Date, e.Application), ct).ConfigureAwait(false)),
            "repay" => Check(await RepayAsync(e.Loan, e.Amount, e.Date, ct).ConfigureAwait(false)),
            "settle" => Check(await SettleAsync(e.Loan, e.Date, e.Amount, ct).ConfigureAwait(false)),
            "writeoff" => Check(await WriteOffAsync(e.Loan, ct).ConfigureAwait(false)),
            "recover" => Check(await RecoverAsync(e.Loan, e.Amount, ct).ConfigureAwait(false)),
            "prepay" => Check(await PrepayAsync(e.Loan, e.Amount, e.Date, e.Mode == "keep_term" ? PrepaymentMode.KeepTerm : PrepaymentMode.KeepInstalment, ct).ConfigureAwait(false)),
            "reschedule" => Check(await RescheduleAsync(e.Loan, e.Date, e.Instalments, e.Rate, ct).ConfigureAwait(false)),
            "benchmark" => Check(SetBenchmarkRate(e.Reference!, e.Date, e.Rate ?? throw new InvalidDataException("benchmark entry without rate"))),
            "line" => Check(await OpenLineAsync(e.Reference!, e.Amount, e.Rate ?? 0m, Enum.Parse<DayCount>(e.Mode!), e.Date, ct).ConfigureAwait(false)),
            "draw" => Check(await DrawAsync(e.Loan, e.Amount, e.Date, ct).ConfigureAwait(false)),
            "linerepay" => Check(await RepayLineAsync(e.Loan, e.Amount, e.Date, ct).ConfigureAwait(false)),
            "close" => await ReplayCloseAsync(e.Date, ct).ConfigureAwait(false),
            _ => (false, $"unknown entry kind '{e.Kind}'"),
        };
        if (!ok && !tolerateRefusal) throw new InvalidDataException($"{BookJournal.FileName}: a '{e.Kind}' step does not replay: {detail}");
        return ok;
    }

    /// <summary>Cash moves no book state, but its transfer id is taken; when verifying, the ledger says whether it happened.</summary>
    private async Task<(bool, string?)> ReplayCashAsync(JournalEntry e, CancellationToken ct)
    {
        if (e.Start is null) return (true, null);
        var id = Chart.Transfer(NextTransfer());
        if (!_verifying) return (true, null);
        var found = await _ledger.LookupTransfersAsync(new[] { id }, ct).ConfigureAwait(false);
        return found.Length > 0 ? (true, null) : (false, "not in the ledger");
    }

    private async Task<(bool, string?)> ReplayCloseAsync(DateOnly date, CancellationToken ct)
    {
        try
        {
            await CloseDayAsync(date, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The close stopped before the restart as well (a chunk the ledger does not hold): the
            // loans of the chunks it does hold stay closed, as they were; rerun the close for the date.
        }
        return (true, null);
    }

    private static (bool, string?) Check<T>(Outcome<T> outcome) => (outcome.Ok, outcome.Detail);
}
