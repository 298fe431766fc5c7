using System.Globalization;
using System.Xml.Linq;
using static Banyan.Payments.CrossBorder.Iso.IsoRead;

namespace Banyan.Payments.CrossBorder.Iso;

/// <summary>One credit transfer of a pain.001 (<c>CdtTrfTxInf</c>) with its element path for later errors.</summary>
internal sealed record Pain001Tx(
    string? InstructionId, string EndToEndId, IsoAmount Amount, string CreditorAgentBic, string CreditorName, string CreditorCountry,
    string CreditorAccount, string? Remittance, string Path);

/// <summary>A payment information block (<c>PmtInf</c>): one debtor account, many transfers.</summary>
internal sealed record Pain001Batch(string PaymentInfoId, DateOnly RequestedDate, string? DebtorName, string DebtorAccount, string? DebtorAgentBic, IReadOnlyList<Pain001Tx> Transactions, string Path);

/// <summary>A pain.001.001.09 customer credit transfer initiation.</summary>
internal sealed record Pain001(string MessageId, DateTimeOffset CreatedAt, string? InitiatingParty, IReadOnlyList<Pain001Batch> Batches);

/// <summary>pain.001.001.09: the supported subset, read (and written, for clients, tests and the demo).</summary>
internal static class Pain001Builder
{
    public const int MaxTransactions = 1_000;

    public static readonly XNamespace Ns = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

    public static readonly El Root = El.Group("CstmrCdtTrfInitn", 1, 1,
        El.Group("GrpHdr", 1, 1,
            El.Leaf("MsgId", 1, 1, IsoText.Max35),
            El.Leaf("CreDtTm", 1, 1, IsoText.DateTimeText),
            El.Leaf("NbOfTxs", 1, 1, IsoText.Numeric15),
            El.Leaf("CtrlSum", 0, 1, IsoText.DecimalText),
            El.Group("InitgPty", 1, 1, El.Leaf("Nm", 0, 1, IsoText.Max140))),
        El.Group("PmtInf", 1, 100,
            El.Leaf("PmtInfId", 1, 1, IsoText.Max35),
            El.Leaf("PmtMtd", 1, 1, IsoText.OneOf("TRF")),
            El.Leaf("NbOfTxs", 0, 1, IsoText.Numeric15),
            El.Leaf("CtrlSum", 0, 1, IsoText.DecimalText),
            El.Group("ReqdExctnDt", 1, 1, El.Leaf("Dt", 1, 1, IsoText.DateText)),
            El.Group("Dbtr", 1, 1, El.Leaf("Nm", 0, 1, IsoText.Max140)),
            El.Group("DbtrAcct", 1, 1, El.Group("Id", 1, 1, El.Group("Othr", 1, 1, El.Leaf("Id", 1, 1, IsoText.Account)))),
            El.Group("DbtrAgt", 1, 1, El.Group("FinInstnId", 1, 1, El.Leaf("BICFI", 0, 1, IsoText.Bic))),
            El.Leaf("ChrgBr", 0, 1, IsoText.OneOf("DEBT")),
            El.Group("CdtTrfTxInf", 1, MaxTransactions,
                El.Group("PmtId", 1, 1, El.Leaf("InstrId", 0, 1, IsoText.Max35), El.Leaf("EndToEndId", 1, 1, IsoText.Max35)),
                El.Group("Amt", 1, 1, El.Amount("InstdAmt", 1)),
                Pacs008Schema.Agent("CdtrAgt", 1),
                El.Group("Cdtr", 1, 1, El.Leaf("Nm", 1, 1, IsoText.Max140), El.Group("PstlAdr", 1, 1, El.Leaf("Ctry", 1, 1, IsoText.Country))),
                Pacs008Schema.Account("CdtrAcct", 1),
                El.Group("RmtInf", 0, 1, El.Leaf("Ustrd", 0, 1, IsoText.Max140)))));

    public static Pain001 Read(XDocument doc)
    {
        IsoXml.Validate(doc, Ns, Root);
        var root = doc.Root!.E(Ns, "CstmrCdtTrfInitn");
        var errors = new List<IsoError>();
        var batches = root.Elements(Ns + "PmtInf").Select((b, i) => ReadBatch(b, $"/Document/CstmrCdtTrfInitn/PmtInf[{i + 1}]", errors)).ToList();
        var all = batches.SelectMany(b => b.Transactions).ToList();
        IsoCount.Check(root, Ns, "GrpHdr/NbOfTxs", "/Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs", all.Count, errors);
        CheckSum(root.Opt(Ns, "GrpHdr/CtrlSum"), all, "/Document/CstmrCdtTrfInitn/GrpHdr/CtrlSum", errors);
        if (all.Count > MaxTransactions)
        {
            errors.Add(new IsoError("/Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs", $"at most {MaxTransactions} transactions per message"));
        }

        if (errors.Count > 0)
        {
            throw new IsoInvalidException(errors);
        }

        IsoText.TryDateTime(root.S(Ns, "GrpHdr/CreDtTm"), out var created);
        return new Pain001(root.S(Ns, "GrpHdr/MsgId"), created, root.Opt(Ns, "GrpHdr/InitgPty/Nm"), batches);
    }

    public static string Write(Pain001 m) => IsoRead.Write(X(Ns, "Document",
        X(Ns, "CstmrCdtTrfInitn",
            X(Ns, "GrpHdr", X(Ns, "MsgId", m.MessageId), X(Ns, "CreDtTm", IsoText.FormatDateTime(m.CreatedAt)),
                X(Ns, "NbOfTxs", m.Batches.Sum(b => b.Transactions.Count).ToString(CultureInfo.InvariantCulture)), new XElement(Ns + "InitgPty", XOpt(Ns, "Nm", m.InitiatingParty))),
            m.Batches.Select(b => X(Ns, "PmtInf",
                X(Ns, "PmtInfId", b.PaymentInfoId), X(Ns, "PmtMtd", "TRF"), X(Ns, "NbOfTxs", b.Transactions.Count.ToString(CultureInfo.InvariantCulture)),
                X(Ns, "ReqdExctnDt", X(Ns, "Dt", b.RequestedDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
                new XElement(Ns + "Dbtr", XOpt(Ns, "Nm", b.DebtorName)), X(Ns, "DbtrAcct", X(Ns, "Id", X(Ns, "Othr", X(Ns, "Id", b.DebtorAccount)))),
                new XElement(Ns + "DbtrAgt", new XElement(Ns + "FinInstnId", XOpt(Ns, "BICFI", b.DebtorAgentBic))), X(Ns, "ChrgBr", "DEBT"),
                b.Transactions.Select(WriteTx))))));

    private static XElement WriteTx(Pain001Tx t) => X(Ns, "CdtTrfTxInf",
        X(Ns, "PmtId", XOpt(Ns, "InstrId", t.InstructionId), X(Ns, "EndToEndId", t.EndToEndId)),
        X(Ns, "Amt", IsoAmounts.Write(Ns, "InstdAmt", t.Amount)),
        X(Ns, "CdtrAgt", X(Ns, "FinInstnId", X(Ns, "BICFI", t.CreditorAgentBic))),
        X(Ns, "Cdtr", X(Ns, "Nm", t.CreditorName), X(Ns, "PstlAdr", X(Ns, "Ctry", t.CreditorCountry))),
        IsoAccounts.Write(Ns, "CdtrAcct", t.CreditorAccount),
        t.Remittance is null ? null : X(Ns, "RmtInf", X(Ns, "Ustrd", t.Remittance)));

    private static Pain001Batch ReadBatch(XElement b, string path, List<IsoError> errors)
    {
        var txs = b.Elements(Ns + "CdtTrfTxInf").Select((e, i) =>
        {
            var txPath = $"{path}/CdtTrfTxInf[{i + 1}]";
            return new Pain001Tx(
                e.Opt(Ns, "PmtId/InstrId"), e.S(Ns, "PmtId/EndToEndId"), IsoAmounts.Read(e.E(Ns, "Amt/InstdAmt"), txPath + "/Amt/InstdAmt", errors),
                e.S(Ns, "CdtrAgt/FinInstnId/BICFI"), e.S(Ns, "Cdtr/Nm"), e.S(Ns, "Cdtr/PstlAdr/Ctry"), IsoAccounts.Read(e, Ns, "CdtrAcct")!, e.Opt(Ns, "RmtInf/Ustrd"), txPath);
        }).ToList();
        IsoCount.Check(b, Ns, "NbOfTxs", path + "/NbOfTxs", txs.Count, errors);
        CheckSum(b.Opt(Ns, "CtrlSum"), txs, path + "/CtrlSum", errors);
        var date = DateOnly.ParseExact(b.S(Ns, "ReqdExctnDt/Dt"), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new Pain001Batch(b.S(Ns, "PmtInfId"), date, b.Opt(Ns, "Dbtr/Nm"), b.S(Ns, "DbtrAcct/Id/Othr/Id"), b.Opt(Ns, "DbtrAgt/FinInstnId/BICFI"), txs, path);
    }

    /// <summary><c>CtrlSum</c>: the plain sum of the amounts as written (ISO adds them regardless of currency).</summary>
    private static void CheckSum(string? text, List<Pain001Tx> txs, string path, List<IsoError> errors)
    {
        if (text is null)
        {
            return;
        }

        var sum = txs.Sum(t => (decimal)t.Amount.Minor / t.Amount.Currency.MinorPerMajor);
        if (decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) != sum)
        {
            errors.Add(new IsoError(path, $"says {text} but the amounts add up to {sum.ToString(CultureInfo.InvariantCulture)}"));
        }
    }
}
