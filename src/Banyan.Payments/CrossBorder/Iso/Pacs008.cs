using System.Globalization;
using System.Xml.Linq;
using Banyan.Platform.Money;
using static Banyan.Payments.CrossBorder.Iso.IsoRead;

namespace Banyan.Payments.CrossBorder.Iso;

/// <summary>An amount in minor units of a supported currency.</summary>
internal readonly record struct IsoAmount(Currency Currency, long Minor)
{
    public override string ToString() => Currency.Format(Minor);
}

/// <summary>One FI-to-FI customer credit transfer (pacs.008 <c>CdtTrfTxInf</c>), the supported subset.</summary>
internal sealed record Pacs008Tx(
    string? InstructionId, string EndToEndId, string Uetr, IsoAmount Settlement, DateOnly? SettlementDate, IsoAmount? Instructed,
    decimal? ExchangeRate, string ChargeBearer, IsoAmount? Charges, string? ChargesAgentBic, string? InstructingAgentBic, string? InstructedAgentBic,
    string? DebtorName, string? DebtorAccount, string DebtorAgentBic, string CreditorAgentBic, string? CreditorName, string? CreditorCountry,
    string? CreditorAccount, string? Remittance);

/// <summary>A pacs.008.001.08 message.</summary>
internal sealed record Pacs008(string MessageId, DateTimeOffset CreatedAt, string SettlementMethod, IReadOnlyList<Pacs008Tx> Transactions);

/// <summary>pacs.008.001.08 (FI to FI customer credit transfer): the subset Banyan writes and reads.</summary>
internal static class Pacs008Schema
{
    public static readonly XNamespace Ns = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08";

    public static readonly El Root = El.Group("FIToFICstmrCdtTrf", 1, 1,
        El.Group("GrpHdr", 1, 1,
            El.Leaf("MsgId", 1, 1, IsoText.Max35),
            El.Leaf("CreDtTm", 1, 1, IsoText.DateTimeText),
            El.Leaf("NbOfTxs", 1, 1, IsoText.Numeric15),
            El.Group("SttlmInf", 1, 1, El.Leaf("SttlmMtd", 1, 1, IsoText.OneOf("INDA", "INGA", "COVE", "CLRG")))),
        El.Group("CdtTrfTxInf", 1, 100,
            El.Group("PmtId", 1, 1, El.Leaf("InstrId", 0, 1, IsoText.Max35), El.Leaf("EndToEndId", 1, 1, IsoText.Max35), El.Leaf("UETR", 1, 1, IsoText.Uuid4)),
            El.Amount("IntrBkSttlmAmt", 1),
            El.Leaf("IntrBkSttlmDt", 0, 1, IsoText.DateText),
            El.Amount("InstdAmt", 0),
            El.Leaf("XchgRate", 0, 1, IsoText.Rate),
            El.Leaf("ChrgBr", 1, 1, IsoText.OneOf("DEBT", "CRED", "SHAR")),
            El.Group("ChrgsInf", 0, 1, El.Amount("Amt", 1), Agent("Agt", 1)),
            Agent("InstgAgt", 0),
            Agent("InstdAgt", 0),
            El.Group("Dbtr", 1, 1, El.Leaf("Nm", 0, 1, IsoText.Max140)),
            Account("DbtrAcct", 0),
            Agent("DbtrAgt", 1),
            Agent("CdtrAgt", 1),
            El.Group("Cdtr", 1, 1, El.Leaf("Nm", 0, 1, IsoText.Max140), El.Group("PstlAdr", 0, 1, El.Leaf("Ctry", 1, 1, IsoText.Country))),
            Account("CdtrAcct", 0),
            El.Group("RmtInf", 0, 1, El.Leaf("Ustrd", 0, 1, IsoText.Max140))));

    public static El Agent(string name, int min) => El.Group(name, min, 1, El.Group("FinInstnId", 1, 1, El.Leaf("BICFI", 1, 1, IsoText.Bic)));

    public static El Account(string name, int min) =>
        El.Group(name, min, 1, El.OneOf("Id", 1, El.Leaf("IBAN", 0, 1, IsoText.Iban), El.Group("Othr", 0, 1, El.Leaf("Id", 1, 1, IsoText.Account))));
}

/// <summary>Writes and reads pacs.008; reading validates structure first, then amounts against their currency and the counts.</summary>
internal static class Pacs008Builder
{
    private static XNamespace Ns => Pacs008Schema.Ns;

    /// <summary>The message id of a payment's outgoing pacs.008 (stable, so the message can be produced again identically).</summary>
    public static string MessageId(XbPaymentRow payment) => "BNYN-XB-" + payment.Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The outgoing leg of a released payment.</summary>
    public static Pacs008 ForPayment(XbPaymentRow p, XbQuoteRow q, Corridor corridor, string bankBic)
    {
        var (src, dst) = (XbPayments.Source(q), XbPayments.Destination(q));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(p.SentAtUnixMs ?? p.CreatedAtUnixMs);
        var tx = new Pacs008Tx(
            p.Id.ToString(CultureInfo.InvariantCulture), q.EndToEndId, p.Uetr, new IsoAmount(dst, q.Delivered), DateOnly.FromDateTime(at.UtcDateTime),
            new IsoAmount(src, q.Principal), decimal.Parse(q.Rate, CultureInfo.InvariantCulture), "DEBT",
            q.Fee > 0 ? new IsoAmount(src, q.Fee) : null, q.Fee > 0 ? bankBic : null, bankBic, corridor.CorrespondentBic,
            q.DebtorName, IsoText.LedgerId(UInt128.Parse(q.DebitAccountId, CultureInfo.InvariantCulture)), bankBic, q.CreditorAgentBic, q.CreditorName, q.Country, q.CreditorAccount, q.Remittance);
        return new Pacs008(MessageId(p), at, "INDA", [tx]);
    }

    public static string Write(Pacs008 m) => IsoRead.Write(X(Ns, "Document",
        X(Ns, "FIToFICstmrCdtTrf",
            X(Ns, "GrpHdr", X(Ns, "MsgId", m.MessageId), X(Ns, "CreDtTm", IsoText.FormatDateTime(m.CreatedAt)),
                X(Ns, "NbOfTxs", m.Transactions.Count.ToString(CultureInfo.InvariantCulture)), X(Ns, "SttlmInf", X(Ns, "SttlmMtd", m.SettlementMethod))),
            m.Transactions.Select(WriteTx))));

    public static Pacs008 Read(XDocument doc)
    {
        IsoXml.Validate(doc, Ns, Pacs008Schema.Root);
        var root = doc.Root!.E(Ns, "FIToFICstmrCdtTrf");
        var errors = new List<IsoError>();
        var txs = root.Elements(Ns + "CdtTrfTxInf").Select((e, i) => ReadTx(e, $"/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[{i + 1}]", errors)).ToList();
        IsoCount.Check(root, Ns, "GrpHdr/NbOfTxs", "/Document/FIToFICstmrCdtTrf/GrpHdr/NbOfTxs", txs.Count, errors);
        if (errors.Count > 0)
        {
            throw new IsoInvalidException(errors);
        }

        IsoText.TryDateTime(root.S(Ns, "GrpHdr/CreDtTm"), out var created);
        return new Pacs008(root.S(Ns, "GrpHdr/MsgId"), created, root.S(Ns, "GrpHdr/SttlmInf/SttlmMtd"), txs);
    }

    private static XElement WriteTx(Pacs008Tx t) => X(Ns, "CdtTrfTxInf",
        X(Ns, "PmtId", XOpt(Ns, "InstrId", t.InstructionId), X(Ns, "EndToEndId", t.EndToEndId), X(Ns, "UETR", t.Uetr)),
        IsoAmounts.Write(Ns, "IntrBkSttlmAmt", t.Settlement),
        XOpt(Ns, "IntrBkSttlmDt", t.SettlementDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        t.Instructed is { } i ? IsoAmounts.Write(Ns, "InstdAmt", i) : null,
        XOpt(Ns, "XchgRate", t.ExchangeRate?.ToString(CultureInfo.InvariantCulture)),
        X(Ns, "ChrgBr", t.ChargeBearer),
        t.Charges is { } c ? X(Ns, "ChrgsInf", IsoAmounts.Write(Ns, "Amt", c), Agent("Agt", t.ChargesAgentBic)) : null,
        Agent("InstgAgt", t.InstructingAgentBic), Agent("InstdAgt", t.InstructedAgentBic),
        X(Ns, "Dbtr", XOpt(Ns, "Nm", t.DebtorName)), IsoAccounts.Write(Ns, "DbtrAcct", t.DebtorAccount),
        Agent("DbtrAgt", t.DebtorAgentBic), Agent("CdtrAgt", t.CreditorAgentBic),
        X(Ns, "Cdtr", XOpt(Ns, "Nm", t.CreditorName), t.CreditorCountry is null ? null : X(Ns, "PstlAdr", X(Ns, "Ctry", t.CreditorCountry))),
        IsoAccounts.Write(Ns, "CdtrAcct", t.CreditorAccount),
        t.Remittance is null ? null : X(Ns, "RmtInf", X(Ns, "Ustrd", t.Remittance)));

    private static XElement? Agent(string name, string? bic) => bic is null ? null : X(Ns, name, X(Ns, "FinInstnId", X(Ns, "BICFI", bic)));

    private static Pacs008Tx ReadTx(XElement e, string path, List<IsoError> errors)
    {
        var settlement = IsoAmounts.Read(e.E(Ns, "IntrBkSttlmAmt"), path + "/IntrBkSttlmAmt", errors);
        var instructed = e.Element(Ns + "InstdAmt") is { } ia ? IsoAmounts.Read(ia, path + "/InstdAmt", errors) : (IsoAmount?)null;
        var charges = e.Element(Ns + "ChrgsInf") is { } ci ? IsoAmounts.Read(ci.E(Ns, "Amt"), path + "/ChrgsInf/Amt", errors) : (IsoAmount?)null;
        var date = e.Opt(Ns, "IntrBkSttlmDt") is { } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture) : (DateOnly?)null;
        var rate = e.Opt(Ns, "XchgRate") is { } r ? decimal.Parse(r, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : (decimal?)null;
        return new Pacs008Tx(
            e.Opt(Ns, "PmtId/InstrId"), e.S(Ns, "PmtId/EndToEndId"), e.S(Ns, "PmtId/UETR"), settlement, date, instructed, rate, e.S(Ns, "ChrgBr"),
            charges, e.Opt(Ns, "ChrgsInf/Agt/FinInstnId/BICFI"), e.Opt(Ns, "InstgAgt/FinInstnId/BICFI"), e.Opt(Ns, "InstdAgt/FinInstnId/BICFI"),
            e.Opt(Ns, "Dbtr/Nm"), IsoAccounts.Read(e, Ns, "DbtrAcct"), e.S(Ns, "DbtrAgt/FinInstnId/BICFI"), e.S(Ns, "CdtrAgt/FinInstnId/BICFI"),
            e.Opt(Ns, "Cdtr/Nm"), e.Opt(Ns, "Cdtr/PstlAdr/Ctry"), IsoAccounts.Read(e, Ns, "CdtrAcct"), e.Opt(Ns, "RmtInf/Ustrd"));
    }
}

/// <summary>Amounts with a <c>Ccy</c> attribute: the decimals may not exceed the currency's minor units (JPY: none).</summary>
internal static class IsoAmounts
{
    public static XElement Write(XNamespace ns, string name, IsoAmount a) =>
        new(ns + name, new XAttribute("Ccy", a.Currency.Code), IsoText.FormatMinor(a.Minor, a.Currency));

    public static IsoAmount Read(XElement e, string path, List<IsoError> errors)
    {
        var currency = Currencies.Get(e.Attribute("Ccy")!.Value);
        if (!IsoText.TryMinor(e.Value, currency, out var minor))
        {
            errors.Add(new IsoError(path, $"{currency.Code} has {currency.MinorUnits} decimals; '{e.Value}' has more"));
        }

        return new IsoAmount(currency, minor);
    }
}

/// <summary>Account identification: an IBAN when the text is one, otherwise <c>Othr/Id</c> (Banyan's ledger account ids).</summary>
internal static class IsoAccounts
{
    public static XElement? Write(XNamespace ns, string name, string? account) => account is null
        ? null
        : X(ns, name, X(ns, "Id", IsoText.Iban(account) is null ? X(ns, "IBAN", account) : X(ns, "Othr", X(ns, "Id", account))));

    public static string? Read(XElement parent, XNamespace ns, string name) =>
        parent.Opt(ns, name + "/Id/IBAN") ?? parent.Opt(ns, name + "/Id/Othr/Id");
}

/// <summary>Control counts (<c>NbOfTxs</c>) must match the transactions present.</summary>
internal static class IsoCount
{
    public static void Check(XElement root, XNamespace ns, string relative, string path, int actual, List<IsoError> errors)
    {
        var text = root.Opt(ns, relative);
        if (text is not null && text != actual.ToString(CultureInfo.InvariantCulture))
        {
            errors.Add(new IsoError(path, $"says {text} but the message has {actual}"));
        }
    }
}
