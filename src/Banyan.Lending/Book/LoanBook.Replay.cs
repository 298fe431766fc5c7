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
        book._replaying = true;
        try
        {
            foreach (var entry in entries.Skip(1))
            {
                await book.ReplayAsync(entry, cancellationToken).ConfigureAwait(false);
                book._transferSequence = entry.Seq;
            }
        }
        finally
        {
            book._replaying = false;
        }
        book._journal = journal;
        return book;
    }

    private async Task ReplayAsync(JournalEntry e, CancellationToken ct)
    {
        var (ok, detail) = e.Kind switch
        {
            "product" => Check(AddProduct(e.Product ?? throw new InvalidDataException("product entry without product"))),
            "customer" => Check(await OpenCustomerAsync(e.Reference!, ct).ConfigureAwait(false)),
            "cash" => (true, null),
            "loan" => Check(await DisburseAsync(new LoanApplication(e.Reference!, e.ProductCode!, e.Amount, e.Instalments, e.Date), ct).ConfigureAwait(false)),
            "repay" => Check(await RepayAsync(e.Loan, e.Amount, e.Date, ct).ConfigureAwait(false)),
            "settle" => Check(await SettleAsync(e.Loan, e.Date, e.Amount, ct).ConfigureAwait(false)),
            "writeoff" => Check(await WriteOffAsync(e.Loan, ct).ConfigureAwait(false)),
            "recover" => Check(await RecoverAsync(e.Loan, e.Amount, ct).ConfigureAwait(false)),
            "close" => await ReplayCloseAsync(e.Date, ct).ConfigureAwait(false),
            _ => (false, $"unknown entry kind '{e.Kind}'"),
        };
        if (!ok) throw new InvalidDataException($"{BookJournal.FileName}: a '{e.Kind}' step does not replay: {detail}");
    }

    private async Task<(bool, string?)> ReplayCloseAsync(DateOnly date, CancellationToken ct)
    {
        await CloseDayAsync(date, ct).ConfigureAwait(false);
        return (true, null);
    }

    private static (bool, string?) Check<T>(Outcome<T> outcome) => (outcome.Ok, outcome.Detail);
}
