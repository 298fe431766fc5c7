using Banyan.Ledger;
using Banyan.RegTech.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace Banyan.RegTech.Tests;

public sealed class LedgerMirrorTests : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "banyan-regtech-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly LedgerEngine _engine;

    public LedgerMirrorTests() =>
        _engine = LedgerEngine.Open(new LedgerOptions { Directory = _root, Fsync = false, AccountCapacity = 1 << 10, TransferCapacity = 1 << 12, DirectIo = false });

    [Fact]
    public async Task Mirror_balances_at_a_cutoff_count_only_created_posted_transfers_up_to_it()
    {
        using var mirror = new LedgerMirror(_engine, NullLogger<LedgerMirror>.Instance);
        await mirror.StartAsync(CancellationToken.None);
        Assert.All(await _engine.CreateAccountsAsync(new[]
        {
            new Account { Id = 1, Ledger = 156, Code = 8101 },
            new Account { Id = 2, Ledger = 156, Code = 8401, UserData128 = 42, Flags = AccountFlags.DebitsMustNotExceedCredits },
        }), r => Assert.Equal(CreateAccountResult.Created, r));
        await _engine.CreateTransfersAsync(new[] { new Transfer { Id = 10, DebitAccountId = 1, CreditAccountId = 2, Amount = 9_000_000, Ledger = 156, Code = 1 } });
        await mirror.CaughtUpAsync(CancellationToken.None);
        var cutoff = _engine.JournalHead.Timestamp;
        var rejected = await _engine.CreateTransfersAsync(new[]
        {
            new Transfer { Id = 11, DebitAccountId = 2, CreditAccountId = 1, Amount = 99_000_000, Ledger = 156, Code = 1 }, // exceeds credits: rejected
            new Transfer { Id = 10, DebitAccountId = 1, CreditAccountId = 2, Amount = 9_000_000, Ledger = 156, Code = 1 },  // exists: not counted twice
            new Transfer { Id = 12, DebitAccountId = 1, CreditAccountId = 2, Amount = 500, Ledger = 156, Code = 1, Flags = TransferFlags.Pending, Timeout = 60 },
        });
        Assert.Equal(CreateTransferResult.ExceedsCredits, rejected[0]);
        await _engine.CreateTransfersAsync(new[] { new Transfer { Id = 13, DebitAccountId = 2, CreditAccountId = 1, Amount = 1_000, Ledger = 156, Code = 1 } });
        await mirror.CaughtUpAsync(CancellationToken.None);

        var before = await mirror.BalancesAsync(cutoff, CancellationToken.None);
        Assert.Equal((UInt128)9_000_000, before.Single(a => a.Id == 2).CreditsPosted);
        Assert.Equal((UInt128)0, before.Single(a => a.Id == 2).DebitsPosted);
        Assert.Equal((UInt128)42, before.Single(a => a.Id == 2).Counterparty);
        var now = await mirror.BalancesAsync(ulong.MaxValue, CancellationToken.None);
        Assert.Equal((UInt128)1_000, now.Single(a => a.Id == 2).DebitsPosted);
        Assert.Equal((UInt128)9_000_000, now.Single(a => a.Id == 2).CreditsPosted);
        Assert.Empty(await mirror.BalancesAsync(0, CancellationToken.None));
        var large = await mirror.TransfersAsync(0, ulong.MaxValue, 5_000_000, CancellationToken.None);
        Assert.Equal((UInt128)10, Assert.Single(large).Id);
        await mirror.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
