using System.Globalization;
using System.Xml.Linq;
using Banyan.Platform.Money;
using static Banyan.Payments.CrossBorder.Iso.IsoRead;

namespace Banyan.Payments.CrossBorder.Iso;

/// <summary>One booked entry: the ledger transfer (its id is the servicer reference, its code the proprietary bank transaction code).</summary>
internal sealed record Camt053Entry(IsoAmount Amount, bool Credit, DateTimeOffset BookedAt, string Reference, string Code, string? Uetr);

/// <summary>A camt.053.001.08 statement of one account for [<see cref="From"/>, <see cref="To"/>).</summary>
internal sealed record Camt053(
    string MessageId, DateTimeOffset CreatedAt, string StatementId, DateTimeOffset From, DateTimeOffset To, string AccountId, Currency Currency,
    long Opening, long Closing, IReadOnlyList<Camt053Entry> Entries);

/// <summary>camt.053.001.08 (bank to customer statement): the subset Banyan writes, and reads back for checks.</summary>
internal static class Camt053Builder
{
    public const int MaxEntries = 10_000;
    public const string CodeIssuer = "BANYAN";

    public static readonly XNamespace Ns = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08";

    public static readonly El Root = El.Group("BkToCstmrStmt", 1, 1,
        El.Group("GrpHdr", 1, 1, El.Leaf("MsgId", 1, 1, IsoText.Max35), El.Leaf("CreDtTm", 1, 1, IsoText.DateTimeText)),
        El.Group("Stmt", 1, 1,
            El.Leaf("Id", 1, 1, IsoText.Max35),
            El.Leaf("CreDtTm", 1, 1, IsoText.DateTimeText),
            El.Group("FrToDt", 1, 1, El.Leaf("FrDtTm", 1, 1, IsoText.DateTimeText), El.Leaf("ToDtTm", 1, 1, IsoText.DateTimeText)),
            El.Group("Acct", 1, 1, El.Group("Id", 1, 1, El.Group("Othr", 1, 1, El.Leaf("Id", 1, 1, IsoText.Account))), El.Leaf("Ccy", 1, 1, IsoText.CurrencyCode)),
            El.Group("Bal", 2, 2,
                El.Group("Tp", 1, 1, El.Group("CdOrPrtry", 1, 1, El.Leaf("Cd", 1, 1, IsoText.OneOf("OPBD", "CLBD")))),
                El.Balance("Amt"),
                El.Leaf("CdtDbtInd", 1, 1, IsoText.OneOf("CRDT", "DBIT")),
                El.Group("Dt", 1, 1, El.Leaf("DtTm", 1, 1, IsoText.DateTimeText))),
            El.Group("Ntry", 0, MaxEntries,
                El.Amount("Amt", 1),
                El.Leaf("CdtDbtInd", 1, 1, IsoText.OneOf("CRDT", "DBIT")),
                El.Group("Sts", 1, 1, El.Leaf("Cd", 1, 1, IsoText.OneOf("BOOK"))),
                El.Group("BookgDt", 1, 1, El.Leaf("DtTm", 1, 1, IsoText.DateTimeText)),
                El.Group("ValDt", 1, 1, El.Leaf("DtTm", 1, 1, IsoText.DateTimeText)),
                El.Leaf("AcctSvcrRef", 1, 1, IsoText.Max35),
                El.Group("BkTxCd", 1, 1, El.Group("Prtry", 1, 1, El.Leaf("Cd", 1, 1, IsoText.Max35), El.Leaf("Issr", 0, 1, IsoText.Max35))),
                El.Group("NtryDtls", 0, 1, El.Group("TxDtls", 1, 1, El.Group("Refs", 1, 1, El.Leaf("UETR", 1, 1, IsoText.Uuid4)))))));

    public static string Write(Camt053 s) => IsoRead.Write(X(Ns, "Document",
        X(Ns, "BkToCstmrStmt",
            X(Ns, "GrpHdr", X(Ns, "MsgId", s.MessageId), X(Ns, "CreDtTm", IsoText.FormatDateTime(s.CreatedAt))),
            X(Ns, "Stmt",
                X(Ns, "Id", s.StatementId), X(Ns, "CreDtTm", IsoText.FormatDateTime(s.CreatedAt)),
                X(Ns, "FrToDt", X(Ns, "FrDtTm", IsoText.FormatDateTime(s.From)), X(Ns, "ToDtTm", IsoText.FormatDateTime(s.To))),
                X(Ns, "Acct", X(Ns, "Id", X(Ns, "Othr", X(Ns, "Id", s.AccountId))), X(Ns, "Ccy", s.Currency.Code)),
                Balance("OPBD", s.Opening, s.Currency, s.From), Balance("CLBD", s.Closing, s.Currency, s.To),
                s.Entries.Select(Entry)))));

    public static Camt053 Read(XDocument doc)
    {
        IsoXml.Validate(doc, Ns, Root);
        var root = doc.Root!.E(Ns, "BkToCstmrStmt");
        var stmt = root.E(Ns, "Stmt");
        var errors = new List<IsoError>();
        var currency = Currencies.Get(stmt.S(Ns, "Acct/Ccy"));
        var balances = stmt.Elements(Ns + "Bal").GroupBy(b => b.S(Ns, "Tp/CdOrPrtry/Cd")).ToDictionary(g => g.Key, g => SignedBalance(g.First(), currency));
        var entries = stmt.Elements(Ns + "Ntry").Select((n, i) => new Camt053Entry(
            IsoAmounts.Read(n.E(Ns, "Amt"), $"/Document/BkToCstmrStmt/Stmt/Ntry[{i + 1}]/Amt", errors), n.S(Ns, "CdtDbtInd") == "CRDT",
            Time(n.S(Ns, "BookgDt/DtTm")), n.S(Ns, "AcctSvcrRef"), n.S(Ns, "BkTxCd/Prtry/Cd"), n.Opt(Ns, "NtryDtls/TxDtls/Refs/UETR"))).ToList();
        if (balances.Count != 2)
        {
            errors.Add(new IsoError("/Document/BkToCstmrStmt/Stmt/Bal[2]/Tp/CdOrPrtry/Cd", "a statement has one OPBD and one CLBD balance"));
        }

        if (errors.Count > 0)
        {
            throw new IsoInvalidException(errors);
        }

        return new Camt053(root.S(Ns, "GrpHdr/MsgId"), Time(root.S(Ns, "GrpHdr/CreDtTm")), stmt.S(Ns, "Id"), Time(stmt.S(Ns, "FrToDt/FrDtTm")),
            Time(stmt.S(Ns, "FrToDt/ToDtTm")), stmt.S(Ns, "Acct/Id/Othr/Id"), currency, balances["OPBD"], balances["CLBD"], entries);
    }

    private static XElement Balance(string code, long amount, Currency c, DateTimeOffset at) => X(Ns, "Bal",
        X(Ns, "Tp", X(Ns, "CdOrPrtry", X(Ns, "Cd", code))),
        new XElement(Ns + "Amt", new XAttribute("Ccy", c.Code), IsoText.FormatMinor(Math.Abs(amount), c)),
        X(Ns, "CdtDbtInd", amount >= 0 ? "CRDT" : "DBIT"), X(Ns, "Dt", X(Ns, "DtTm", IsoText.FormatDateTime(at))));

    private static XElement Entry(Camt053Entry e) => X(Ns, "Ntry",
        IsoAmounts.Write(Ns, "Amt", e.Amount), X(Ns, "CdtDbtInd", e.Credit ? "CRDT" : "DBIT"), X(Ns, "Sts", X(Ns, "Cd", "BOOK")),
        X(Ns, "BookgDt", X(Ns, "DtTm", IsoText.FormatDateTime(e.BookedAt))), X(Ns, "ValDt", X(Ns, "DtTm", IsoText.FormatDateTime(e.BookedAt))),
        X(Ns, "AcctSvcrRef", e.Reference), X(Ns, "BkTxCd", X(Ns, "Prtry", X(Ns, "Cd", e.Code), X(Ns, "Issr", CodeIssuer))),
        e.Uetr is null ? null : X(Ns, "NtryDtls", X(Ns, "TxDtls", X(Ns, "Refs", X(Ns, "UETR", e.Uetr)))));

    private static long SignedBalance(XElement bal, Currency c)
    {
        IsoText.TryMinor(bal.S(Ns, "Amt"), c, out var minor);
        return bal.S(Ns, "CdtDbtInd") == "CRDT" ? minor : -minor;
    }

    private static DateTimeOffset Time(string s) => IsoText.TryDateTime(s, out var t) ? t : throw new InvalidOperationException("validated date-time");
}
