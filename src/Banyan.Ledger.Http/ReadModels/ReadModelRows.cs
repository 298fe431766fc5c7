using System.Globalization;
using Microsoft.EntityFrameworkCore;

namespace Banyan.Ledger.Http.ReadModels;

/// <summary>
/// Column encodings shared by the read-model tables. 128-bit ids are 32 lowercase hex digits (fixed
/// width, so equality and indexes work on both SQLite and PostgreSQL, which lack a 128-bit integer);
/// amounts and 64-bit user data are decimal text (summed in C# with checked UInt128 arithmetic).
/// Timestamps fit a signed 64-bit column until the year 2262.
/// </summary>
internal static class Columns
{
    public static string Id(UInt128 value) => value.ToString("x32", CultureInfo.InvariantCulture);

    public static UInt128 ParseId(string text) => UInt128.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public static string Amount(UInt128 value) => value.ToString(CultureInfo.InvariantCulture);

    public static UInt128 ParseAmount(string text) => UInt128.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    public static long Timestamp(ulong value) => checked((long)value);
}

/// <summary>One created transfer, as stored by the engine (amount actually moved).</summary>
internal sealed class LedgerTransferRow
{
    public string Id { get; set; } = "";
    public string DebitAccountId { get; set; } = "";
    public string CreditAccountId { get; set; } = "";
    public string Amount { get; set; } = "";
    public string PendingId { get; set; } = "";
    public string UserData128 { get; set; } = "";
    public string UserData64 { get; set; } = "";
    public long UserData32 { get; set; }
    public long Timeout { get; set; }
    public long Ledger { get; set; }
    public int Code { get; set; }
    public int Flags { get; set; }
    public long Timestamp { get; set; }

    public static LedgerTransferRow From(in Transfer t) => new()
    {
        Id = Columns.Id(t.Id),
        DebitAccountId = Columns.Id(t.DebitAccountId),
        CreditAccountId = Columns.Id(t.CreditAccountId),
        Amount = Columns.Amount(t.Amount),
        PendingId = Columns.Id(t.PendingId),
        UserData128 = Columns.Id(t.UserData128),
        UserData64 = t.UserData64.ToString(CultureInfo.InvariantCulture),
        UserData32 = t.UserData32,
        Timeout = t.Timeout,
        Ledger = t.Ledger,
        Code = t.Code,
        Flags = (int)t.Flags,
        Timestamp = Columns.Timestamp(t.Timestamp),
    };

    public Transfer ToTransfer() => new()
    {
        Id = Columns.ParseId(Id),
        DebitAccountId = Columns.ParseId(DebitAccountId),
        CreditAccountId = Columns.ParseId(CreditAccountId),
        Amount = Columns.ParseAmount(Amount),
        PendingId = Columns.ParseId(PendingId),
        UserData128 = Columns.ParseId(UserData128),
        UserData64 = ulong.Parse(UserData64, NumberStyles.None, CultureInfo.InvariantCulture),
        UserData32 = checked((uint)UserData32),
        Timeout = checked((uint)Timeout),
        Ledger = checked((uint)Ledger),
        Code = checked((ushort)Code),
        Flags = (TransferFlags)checked((ushort)Flags),
        Timestamp = checked((ulong)Timestamp),
    };
}

/// <summary>One created account's immutable fields (balances come from the engine or the history rows).</summary>
internal sealed class LedgerAccountRow
{
    public string Id { get; set; } = "";
    public long Ledger { get; set; }
    public int Code { get; set; }
    public int Flags { get; set; }
    public string UserData128 { get; set; } = "";
    public string UserData64 { get; set; } = "";
    public long UserData32 { get; set; }
    public long Timestamp { get; set; }

    public static LedgerAccountRow From(in Account a) => new()
    {
        Id = Columns.Id(a.Id),
        Ledger = a.Ledger,
        Code = a.Code,
        Flags = (int)a.Flags,
        UserData128 = Columns.Id(a.UserData128),
        UserData64 = a.UserData64.ToString(CultureInfo.InvariantCulture),
        UserData32 = a.UserData32,
        Timestamp = Columns.Timestamp(a.Timestamp),
    };
}

/// <summary>The four balances of a <c>history</c> account right after one transfer touched it.</summary>
internal sealed class LedgerBalanceRow
{
    public string AccountId { get; set; } = "";
    public long Timestamp { get; set; }
    public string DebitsPending { get; set; } = "";
    public string DebitsPosted { get; set; } = "";
    public string CreditsPending { get; set; } = "";
    public string CreditsPosted { get; set; } = "";
}

/// <summary>A pending transfer released by expiry at a pulse's timestamp (the journal holds the pulse, not the outcome).</summary>
internal sealed class LedgerExpirationRow
{
    public string PendingId { get; set; } = "";
    public string DebitAccountId { get; set; } = "";
    public string CreditAccountId { get; set; } = "";
    public string Amount { get; set; } = "";
    public long Timestamp { get; set; }
}

/// <summary>The single row holding the last journal sequence whose effects are in the read models.</summary>
internal sealed class LedgerProjectionState
{
    public const int SingletonId = 1;
    public int Id { get; set; }
    public long Sequence { get; set; }
}

/// <summary>The read-model tables in the host's shared model (all prefixed <c>ledger_</c>).</summary>
internal static class ReadModelSchema
{
    public static void Configure(ModelBuilder model)
    {
        var t = model.Entity<LedgerTransferRow>();
        t.ToTable("ledger_transfers");
        t.HasKey(x => x.Id);
        foreach (var p in new[] { "Id", "DebitAccountId", "CreditAccountId", "PendingId", "UserData128" }) t.Property(p).HasMaxLength(32);
        t.Property(x => x.Amount).HasMaxLength(40);
        t.Property(x => x.UserData64).HasMaxLength(20);
        t.HasIndex(x => new { x.DebitAccountId, x.Timestamp });
        t.HasIndex(x => new { x.CreditAccountId, x.Timestamp });

        var a = model.Entity<LedgerAccountRow>();
        a.ToTable("ledger_accounts");
        a.HasKey(x => x.Id);
        a.Property(x => x.Id).HasMaxLength(32);
        a.Property(x => x.UserData128).HasMaxLength(32);
        a.Property(x => x.UserData64).HasMaxLength(20);
        a.HasIndex(x => x.Timestamp).IsUnique();
        a.HasIndex(x => new { x.Ledger, x.Code, x.Timestamp });

        var b = model.Entity<LedgerBalanceRow>();
        b.ToTable("ledger_balance_history");
        b.HasKey(x => new { x.AccountId, x.Timestamp });
        b.Property(x => x.AccountId).HasMaxLength(32);
        foreach (var p in new[] { "DebitsPending", "DebitsPosted", "CreditsPending", "CreditsPosted" }) b.Property(p).HasMaxLength(40);

        var x = model.Entity<LedgerExpirationRow>();
        x.ToTable("ledger_expirations");
        x.HasKey(r => r.PendingId);
        foreach (var p in new[] { "PendingId", "DebitAccountId", "CreditAccountId" }) x.Property(p).HasMaxLength(32);
        x.Property(r => r.Amount).HasMaxLength(40);
        x.HasIndex(r => new { r.DebitAccountId, r.Timestamp });
        x.HasIndex(r => new { r.CreditAccountId, r.Timestamp });

        var s = model.Entity<LedgerProjectionState>();
        s.ToTable("ledger_projection_state");
        s.HasKey(x => x.Id);
        s.Property(x => x.Id).ValueGeneratedNever();
    }
}
