using System.Globalization;
using System.Xml.Linq;
using static Banyan.Payments.CrossBorder.Iso.IsoRead;

namespace Banyan.Payments.CrossBorder.Iso;

/// <summary>One transaction status (pacs.002 <c>TxInfAndSts</c>).</summary>
internal sealed record Pacs002Tx(string? OriginalInstructionId, string? OriginalEndToEndId, string OriginalUetr, string Status, string? ReasonCode, DateTimeOffset? AcceptedAt);

/// <summary>A pacs.002.001.10 payment status report.</summary>
internal sealed record Pacs002(string MessageId, DateTimeOffset CreatedAt, string? OriginalMessageId, string? OriginalMessageName, IReadOnlyList<Pacs002Tx> Transactions);

/// <summary>pacs.002.001.10 (FI to FI payment status report): the supported subset, written and read.</summary>
internal static class Pacs002Builder
{
    public static readonly XNamespace Ns = "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10";

    public static readonly string[] Statuses = ["ACCC", "ACSC", "ACSP", "ACTC", "ACWC", "PDNG", "RJCT"];

    public static readonly El Root = El.Group("FIToFIPmtStsRpt", 1, 1,
        El.Group("GrpHdr", 1, 1, El.Leaf("MsgId", 1, 1, IsoText.Max35), El.Leaf("CreDtTm", 1, 1, IsoText.DateTimeText)),
        El.Group("OrgnlGrpInfAndSts", 0, 1, El.Leaf("OrgnlMsgId", 1, 1, IsoText.Max35), El.Leaf("OrgnlMsgNmId", 1, 1, IsoText.Max35)),
        El.Group("TxInfAndSts", 1, 100,
            El.Leaf("OrgnlInstrId", 0, 1, IsoText.Max35),
            El.Leaf("OrgnlEndToEndId", 0, 1, IsoText.Max35),
            El.Leaf("OrgnlUETR", 1, 1, IsoText.Uuid4),
            El.Leaf("TxSts", 1, 1, IsoText.OneOf(Statuses)),
            El.Group("StsRsnInf", 0, 1, El.Group("Rsn", 1, 1, El.Leaf("Cd", 1, 1, s => s.Length is >= 1 and <= 4 && s.All(char.IsAsciiLetterOrDigit) ? null : "must be an ISO external status reason code (1–4 characters)"))),
            El.Leaf("AccptncDtTm", 0, 1, IsoText.DateTimeText)));

    public static string Write(Pacs002 m) => IsoRead.Write(X(Ns, "Document",
        X(Ns, "FIToFIPmtStsRpt",
            X(Ns, "GrpHdr", X(Ns, "MsgId", m.MessageId), X(Ns, "CreDtTm", IsoText.FormatDateTime(m.CreatedAt))),
            m.OriginalMessageId is null ? null : X(Ns, "OrgnlGrpInfAndSts", X(Ns, "OrgnlMsgId", m.OriginalMessageId), X(Ns, "OrgnlMsgNmId", m.OriginalMessageName ?? "pacs.008.001.08")),
            m.Transactions.Select(t => X(Ns, "TxInfAndSts",
                XOpt(Ns, "OrgnlInstrId", t.OriginalInstructionId), XOpt(Ns, "OrgnlEndToEndId", t.OriginalEndToEndId), X(Ns, "OrgnlUETR", t.OriginalUetr),
                X(Ns, "TxSts", t.Status), t.ReasonCode is null ? null : X(Ns, "StsRsnInf", X(Ns, "Rsn", X(Ns, "Cd", t.ReasonCode))),
                XOpt(Ns, "AccptncDtTm", t.AcceptedAt is { } a ? IsoText.FormatDateTime(a) : null))))));

    public static Pacs002 Read(XDocument doc)
    {
        IsoXml.Validate(doc, Ns, Root);
        var root = doc.Root!.E(Ns, "FIToFIPmtStsRpt");
        IsoText.TryDateTime(root.S(Ns, "GrpHdr/CreDtTm"), out var created);
        var txs = root.Elements(Ns + "TxInfAndSts").Select(e => new Pacs002Tx(
            e.Opt(Ns, "OrgnlInstrId"), e.Opt(Ns, "OrgnlEndToEndId"), e.S(Ns, "OrgnlUETR"), e.S(Ns, "TxSts"), e.Opt(Ns, "StsRsnInf/Rsn/Cd"),
            e.Opt(Ns, "AccptncDtTm") is { } a && IsoText.TryDateTime(a, out var at) ? at : null)).ToList();
        return new Pacs002(root.S(Ns, "GrpHdr/MsgId"), created, root.Opt(Ns, "OrgnlGrpInfAndSts/OrgnlMsgId"), root.Opt(Ns, "OrgnlGrpInfAndSts/OrgnlMsgNmId"), txs);
    }

    /// <summary>A status report for one payment, as a correspondent would send it (demo, bench, tests).</summary>
    public static Pacs002 For(string uetr, string status, string? reason, DateTimeOffset at, string? originalMessageId = null) =>
        new("STS-" + uetr[..8] + "-" + at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)[^8..], at, originalMessageId, originalMessageId is null ? null : "pacs.008.001.08",
            [new Pacs002Tx(null, null, uetr, status, reason, status is "ACSC" or "ACCC" ? at : null)]);
}
