namespace Banyan.Ledger.Http.Api;

/// <summary>
/// Bad input in a ledger request body. Thrown by the decoders and turned into a 400 problem naming
/// the event index and field; nothing of the request is applied because decoding finishes before
/// the engine sees any event.
/// </summary>
internal sealed class LedgerInputException(int? index, string field, string detail) : Exception(detail)
{
    /// <summary>Zero-based position of the offending event, or null for the body as a whole.</summary>
    public int? Index { get; } = index;

    /// <summary>snake_case field name, or empty when the problem is the event or body itself.</summary>
    public string Field { get; } = field;
}
