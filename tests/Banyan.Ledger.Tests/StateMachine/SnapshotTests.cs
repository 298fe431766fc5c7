using static Banyan.Ledger.Tests.StateMachines.TestLedger;

namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>Digest and snapshots: round trip, determinism, and refusal of damaged snapshots.</summary>
public sealed class SnapshotTests
{
    private static TestLedger Busy()
    {
        var ledger = Standard();
        ledger.Setup(T(9, 1, 4, 100), T(10, 4, 2, 30, TransferFlags.Pending, timeout: 5), T(11, 1, 6, 0, TransferFlags.Pending | TransferFlags.ClosingCredit), T(12, 2, 1, 7, TransferFlags.Pending));
        ledger.Setup(Post(13, 12, amount: 3));
        return ledger;
    }

    private static byte[] Snapshot(StateMachine machine)
    {
        using var stream = new MemoryStream();
        machine.WriteSnapshot(stream);
        return stream.ToArray();
    }

    [Fact]
    public void Snapshot_round_trip_preserves_digest_timestamps_and_expiry()
    {
        var machine = Busy().Machine;
        var restored = StateMachine.ReadSnapshot(new MemoryStream(Snapshot(machine)));
        Assert.Equal(machine.Digest(), restored.Digest());
        Assert.Equal(machine.LastTimestamp, restored.LastTimestamp);
        Assert.Equal(machine.NextExpiryTimestamp, restored.NextExpiryTimestamp);
        Assert.True(restored.TryGetTransfer(10, out var pending));
        Assert.Equal((UInt128)30, pending.Amount);
        // Indexes are rebuilt: a duplicate is still recognised after the load.
        var results = new CreateTransferResult[1];
        restored.CreateTransfers([T(9, 1, 4, 100)], restored.LastTimestamp + 1, results);
        Assert.Equal(CreateTransferResult.Exists, results[0]);
    }

    [Fact]
    public void Equal_histories_have_equal_digests_and_different_ones_differ()
    {
        Assert.Equal(Busy().Machine.Digest(), Busy().Machine.Digest());
        var other = Busy();
        other.Setup(T(20, 1, 2, 1));
        Assert.NotEqual(Busy().Machine.Digest(), other.Machine.Digest());
    }

    [Fact]
    public void Every_flipped_byte_of_a_snapshot_is_detected()
    {
        var bytes = Snapshot(Busy().Machine);
        for (var i = 0; i < bytes.Length; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x20;
            var error = Assert.Throws<LedgerCorruptException>(() => StateMachine.ReadSnapshot(new MemoryStream(damaged)));
            Assert.Contains("snapshot is damaged", error.Message);
        }
    }

    [Fact]
    public void A_truncated_snapshot_is_refused_with_a_clear_message()
    {
        var bytes = Snapshot(Busy().Machine);
        foreach (var length in new[] { 0, 10, 40, 41, bytes.Length - 17, bytes.Length - 1 })
        {
            var error = Assert.Throws<LedgerCorruptException>(() => StateMachine.ReadSnapshot(new MemoryStream(bytes[..length])));
            Assert.Contains("truncated", error.Message);
        }
    }

    [Fact]
    public void Tables_grow_past_their_capacity_and_past_a_transfer_chunk()
    {
        var machine = new StateMachine(1, 1);
        var accounts = new Account[100];
        for (var i = 0; i < accounts.Length; i++) accounts[i] = A((UInt128)(i + 1));
        machine.CreateAccounts(accounts, 1, new CreateAccountResult[accounts.Length]);
        Assert.Equal(100, machine.AccountCount);
        var batch = new Transfer[LedgerEngine.MaxBatchEvents];
        var results = new CreateTransferResult[batch.Length];
        var timestamp = 1_000UL;
        long id = 1;
        while (machine.TransferCount <= TransferStore.ChunkSize + 100)
        {
            for (var i = 0; i < batch.Length; i++, id++)
            {
                batch[i] = T((UInt128)(id * 7919), (UInt128)(1 + (id % 100)), (UInt128)(1 + ((id + 1) % 100)), 1);
            }
            machine.CreateTransfers(batch, timestamp, results);
            Assert.All(results, r => Assert.Equal(CreateTransferResult.Created, r));
            timestamp += (ulong)batch.Length;
        }
        Assert.True(machine.TryGetTransfer(7919, out var first));
        Assert.Equal((UInt128)2, first.DebitAccountId);
        Assert.True(machine.TryGetTransfer((UInt128)((id - 1) * 7919), out var last));
        Assert.Equal(machine.TransferAt(machine.TransferCount - 1).Id, last.Id);
        ReferenceModelTests.AssertInvariants(machine);
    }
}
