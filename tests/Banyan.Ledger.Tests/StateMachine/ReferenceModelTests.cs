using System.Numerics;
using System.Runtime.InteropServices;
using CsCheck;

namespace Banyan.Ledger.Tests.StateMachines;

/// <summary>
/// Random histories run against the state machine and the reference model in lockstep: every result
/// code, every account, every transfer and every pending status must agree after every step, and the
/// ledger invariants must hold.
/// </summary>
public sealed class ReferenceModelTests
{
    private const ulong Start = 1_700_000_000_000_000_000;

    [Fact]
    public void Random_histories_agree_with_the_reference_model_and_keep_the_invariants() =>
        Histories.History.Sample(h => Replay(h.Setup, h.Steps), iter: 4000, threads: 1,
            print: h => string.Join("\n", new[] { $"Setup [{string.Join(", ", h.Setup.Select(Show.Account))}]" }.Concat(h.Steps.Select(s => s.ToString()))));

    private static void Replay(Account[] setup, Step[] steps)
    {
        // Tiny capacities on purpose: histories also exercise table and index growth.
        var machine = new StateMachine(2, 4);
        var model = new ReferenceLedger();
        var sent = new List<Transfer>();
        var clock = Start;
        ApplyAccounts(machine, model, setup, ref clock);
        for (var index = 0; index < steps.Length; index++)
        {
            var step = steps[index];
            clock += step.AdvanceNs;
            // Now and then continue on a machine restored from a snapshot: it must behave identically.
            if (index % 5 == 4) machine = Restore(machine);
            switch (step)
            {
                case AccountsStep a:
                    ApplyAccounts(machine, model, a.Events, ref clock);
                    break;
                case TransfersStep t:
                    ApplyTransfers(machine, model, Resolve(t.Events, sent), t.PulseFirst, ref clock);
                    break;
                case PulseStep:
                    machine.Pulse(clock);
                    model.Pulse(clock);
                    break;
                default:
                    throw new InvalidOperationException(step.GetType().Name);
            }
            AssertSameState(machine, model);
            AssertInvariants(machine);
        }
        AssertSnapshotRoundTrip(machine, clock);
    }

    private static StateMachine Restore(StateMachine machine)
    {
        using var stream = new MemoryStream();
        machine.WriteSnapshot(stream);
        stream.Position = 0;
        var restored = StateMachine.ReadSnapshot(stream);
        Assert.Equal(machine.Digest(), restored.Digest());
        return restored;
    }

    [Fact]
    public void Replaying_the_same_history_gives_the_same_digest() =>
        Histories.History.Sample(h =>
        {
            var first = Run(h.Setup, h.Steps);
            var second = Run(h.Setup, h.Steps);
            Assert.Equal(first.Digest(), second.Digest());
            Assert.Equal(first.LastTimestamp, second.LastTimestamp);
        }, iter: 300, threads: 1);

    /// <summary>Runs a history on the state machine alone (no model), returning the machine.</summary>
    private static StateMachine Run(Account[] setup, Step[] steps)
    {
        var machine = new StateMachine(2, 4);
        var sent = new List<Transfer>();
        var clock = Start;
        machine.CreateAccounts(setup, clock, new CreateAccountResult[setup.Length]);
        clock += (ulong)setup.Length;
        foreach (var step in steps)
        {
            clock += step.AdvanceNs;
            switch (step)
            {
                case AccountsStep a:
                    machine.CreateAccounts(a.Events, clock, new CreateAccountResult[a.Events.Length]);
                    clock += (ulong)a.Events.Length;
                    break;
                case TransfersStep t:
                    var events = Resolve(t.Events, sent);
                    machine.CreateTransfers(events, clock, new CreateTransferResult[events.Length]);
                    clock += (ulong)events.Length;
                    break;
                default:
                    machine.Pulse(clock);
                    break;
            }
        }
        return machine;
    }

    private static Transfer[] Resolve(TransferSpec[] specs, List<Transfer> sent)
    {
        var events = new Transfer[specs.Length];
        for (var i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            var t = spec.RepeatOf >= 0 && sent.Count > 0 ? sent[spec.RepeatOf % sent.Count] : spec.Transfer;
            var pendings = sent.Where(s => s.Flags.HasFlag(TransferFlags.Pending)).ToList();
            if (spec.RepeatOf < 0 && spec.Tweak > 0 && pendings.Count > 0 && (t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0)
            {
                t.PendingId = pendings[(spec.Tweak - 1) % pendings.Count].Id;
            }
            if (spec.RepeatOf >= 0)
            {
                switch (spec.Tweak)
                {
                    case 1: t.UserData64++; break;
                    case 2: t.Amount = t.Amount == 0 ? 1 : t.Amount - 1; break;
                    case 3: t.Ledger = 0; break;
                    case 4: t.DebitAccountId = 0; break;
                    case 5: t.Flags ^= TransferFlags.Linked; break;
                    case 6: t.UserData128 ^= 5; break;
                    case 7: t.UserData32 ^= 2; break;
                    case 8: t.Code = t.Code == 1 ? (ushort)3 : (ushort)1; break;
                    default: break;
                }
            }
            events[i] = t;
        }
        sent.AddRange(events);
        return events;
    }

    private static void ApplyAccounts(StateMachine machine, ReferenceLedger model, Account[] events, ref ulong clock)
    {
        var timestamp = clock;
        var before = machine.Digest();
        var results = new CreateAccountResult[events.Length];
        machine.CreateAccounts(events, timestamp, results);
        var expected = model.CreateAccounts(events, timestamp);
        AssertSameResults(expected, results);
        if (results.All(r => r != CreateAccountResult.Created)) Assert.Equal(before, machine.Digest());
        clock = timestamp + (ulong)events.Length;
        Assert.Equal(clock - 1, machine.LastTimestamp);
    }

    private static void ApplyTransfers(StateMachine machine, ReferenceLedger model, Transfer[] events, bool pulseFirst, ref ulong clock)
    {
        var timestamp = clock;
        if (pulseFirst)
        {
            // Expire first, so the digest before the request excludes expiry effects (CreateTransfers also pulses).
            machine.Pulse(timestamp);
            model.Pulse(timestamp);
        }
        var before = machine.Digest();
        var results = new CreateTransferResult[events.Length];
        machine.CreateTransfers(events, timestamp, results);
        var expected = model.CreateTransfers(events, timestamp);
        AssertSameResults(expected, results);
        if (pulseFirst && results.All(r => r != CreateTransferResult.Created)) Assert.Equal(before, machine.Digest());
        clock = timestamp + (ulong)events.Length;
    }

    private static void AssertSameResults<R>(R[] expected, R[] actual) where R : struct, Enum
    {
        for (var i = 0; i < expected.Length; i++)
        {
            if (!EqualityComparer<R>.Default.Equals(expected[i], actual[i]))
            {
                Assert.Fail($"event {i}: model says {expected[i]}, state machine says {actual[i]} (all: model [{string.Join(",", expected)}] sm [{string.Join(",", actual)}])");
            }
        }
    }

    internal static void AssertSameState(StateMachine machine, ReferenceLedger model)
    {
        Assert.Equal(model.AccountOrder.Count, machine.AccountCount);
        for (var i = 0; i < machine.AccountCount; i++)
        {
            var expected = model.Account(model.AccountOrder[i]);
            Assert.True(Bytes(expected).SequenceEqual(Bytes(machine.Accounts[i])), $"account {i}: model {Show.Account(expected)} dpe={expected.DebitsPending} cpe={expected.CreditsPending} cpo={expected.CreditsPosted}, sm {Show.Account(machine.Accounts[i])} dpe={machine.Accounts[i].DebitsPending} cpe={machine.Accounts[i].CreditsPending} cpo={machine.Accounts[i].CreditsPosted}");
        }
        Assert.Equal(model.TransferOrder.Count, machine.TransferCount);
        for (var i = 0; i < machine.TransferCount; i++)
        {
            var id = model.TransferOrder[i];
            var expected = model.Transfer(id);
            Assert.True(Bytes(expected).SequenceEqual(Bytes(machine.TransferAt(i))), $"transfer {i}: model {Show.Transfer(expected)}, sm {Show.Transfer(machine.TransferAt(i))}");
            Assert.Equal(model.Status(id), machine.PendingStatusAt(i));
        }
        Assert.Equal(ModelNextExpiry(model), machine.NextExpiryTimestamp);
    }

    private static ulong ModelNextExpiry(ReferenceLedger model)
    {
        var next = ulong.MaxValue;
        foreach (var id in model.TransferOrder)
        {
            var t = model.Transfer(id);
            if (model.Status(id) == PendingStatus.Pending && t.Timeout > 0) next = Math.Min(next, t.Timestamp + (t.Timeout * 1_000_000_000UL));
        }
        return next == ulong.MaxValue ? 0 : next;
    }

    /// <summary>Double entry: per ledger, Σ debits = Σ credits, posted and pending separately.</summary>
    internal static void AssertInvariants(StateMachine machine)
    {
        var sums = new Dictionary<uint, (BigInteger Dpe, BigInteger Dpo, BigInteger Cpe, BigInteger Cpo)>();
        foreach (var a in machine.Accounts)
        {
            var s = sums.GetValueOrDefault(a.Ledger);
            sums[a.Ledger] = (s.Dpe + a.DebitsPending, s.Dpo + a.DebitsPosted, s.Cpe + a.CreditsPending, s.Cpo + a.CreditsPosted);
        }
        foreach (var (ledger, s) in sums)
        {
            Assert.True(s.Dpo == s.Cpo, $"ledger {ledger}: debits posted {s.Dpo} != credits posted {s.Cpo}");
            Assert.True(s.Dpe == s.Cpe, $"ledger {ledger}: debits pending {s.Dpe} != credits pending {s.Cpe}");
        }
    }

    private static void AssertSnapshotRoundTrip(StateMachine machine, ulong clock)
    {
        using var stream = new MemoryStream();
        machine.WriteSnapshot(stream);
        stream.Position = 0;
        var restored = StateMachine.ReadSnapshot(stream);
        Assert.Equal(machine.Digest(), restored.Digest());
        Assert.Equal(machine.LastTimestamp, restored.LastTimestamp);
        Assert.Equal(machine.NextExpiryTimestamp, restored.NextExpiryTimestamp);
        // The restored machine behaves the same from here on (expiry queue and indexes were rebuilt).
        var later = clock + 10_000_000_000UL;
        machine.Pulse(later);
        restored.Pulse(later);
        Assert.Equal(machine.Digest(), restored.Digest());
    }

    private static byte[] Bytes<T>(T value) where T : struct => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref value)).ToArray();
}
