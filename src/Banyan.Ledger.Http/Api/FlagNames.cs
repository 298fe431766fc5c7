using System.Text.Json;

namespace Banyan.Ledger.Http.Api;

/// <summary>The wire names of account and transfer flags (snake_case, one per bit).</summary>
internal static class FlagNames
{
    internal static readonly (string Name, AccountFlags Flag)[] Account =
    [
        ("linked", AccountFlags.Linked),
        ("debits_must_not_exceed_credits", AccountFlags.DebitsMustNotExceedCredits),
        ("credits_must_not_exceed_debits", AccountFlags.CreditsMustNotExceedDebits),
        ("history", AccountFlags.History),
        ("closed", AccountFlags.Closed),
    ];

    internal static readonly (string Name, TransferFlags Flag)[] Transfer =
    [
        ("linked", TransferFlags.Linked),
        ("pending", TransferFlags.Pending),
        ("post_pending_transfer", TransferFlags.PostPendingTransfer),
        ("void_pending_transfer", TransferFlags.VoidPendingTransfer),
        ("balancing_debit", TransferFlags.BalancingDebit),
        ("balancing_credit", TransferFlags.BalancingCredit),
        ("closing_debit", TransferFlags.ClosingDebit),
        ("closing_credit", TransferFlags.ClosingCredit),
    ];

    private static readonly JsonEncodedText[] AccountEncoded = [.. Account.Select(f => JsonEncodedText.Encode(f.Name))];
    private static readonly JsonEncodedText[] TransferEncoded = [.. Transfer.Select(f => JsonEncodedText.Encode(f.Name))];

    /// <summary>Looks up an account flag by its wire name; false for an unknown name.</summary>
    internal static bool TryParseAccount(ref Utf8JsonReader reader, out AccountFlags flag)
    {
        foreach (var (name, value) in Account)
        {
            if (reader.ValueTextEquals(name)) { flag = value; return true; }
        }
        flag = AccountFlags.None;
        return false;
    }

    /// <summary>Looks up a transfer flag by its wire name; false for an unknown name.</summary>
    internal static bool TryParseTransfer(ref Utf8JsonReader reader, out TransferFlags flag)
    {
        foreach (var (name, value) in Transfer)
        {
            if (reader.ValueTextEquals(name)) { flag = value; return true; }
        }
        flag = TransferFlags.None;
        return false;
    }

    internal static void Write(Utf8JsonWriter writer, AccountFlags flags)
    {
        writer.WriteStartArray("flags"u8);
        for (var i = 0; i < Account.Length; i++)
        {
            if ((flags & Account[i].Flag) != 0) writer.WriteStringValue(AccountEncoded[i]);
        }
        writer.WriteEndArray();
    }

    internal static void Write(Utf8JsonWriter writer, TransferFlags flags)
    {
        writer.WriteStartArray("flags"u8);
        for (var i = 0; i < Transfer.Length; i++)
        {
            if ((flags & Transfer[i].Flag) != 0) writer.WriteStringValue(TransferEncoded[i]);
        }
        writer.WriteEndArray();
    }
}
