using System.Text;
using Banyan.Payments.CrossBorder;
using Banyan.Payments.CrossBorder.Iso;
using Banyan.Platform.Money;

namespace Banyan.Payments.Tests.CrossBorder;

public sealed class IsoMessageTests
{
    private static readonly Currency Cny = Currencies.Get("CNY");
    private static readonly Currency Eur = Currencies.Get("EUR");
    private static readonly Currency Jpy = Currencies.Get("JPY");
    private static readonly DateTimeOffset At = new(2026, 11, 23, 3, 4, 5, 678, TimeSpan.Zero);

    internal static Pacs008Tx SampleTx(string uetr, IsoAmount settlement) => new(
        "42", "E2E-1", uetr, settlement, new DateOnly(2026, 11, 23), new IsoAmount(Cny, 10_000_00), 0.1201234567m, "DEBT",
        new IsoAmount(Cny, 12_34), "BNYNCNSHXXX", "BNYNCNSHXXX", "DEUTDEFFXXX", "alice", IsoText.LedgerId(UInt128.MaxValue - 5), "BNYNCNSHXXX",
        "DEUTDEFFXXX", "Beneficiary GmbH", "DE", "DE89370400440532013000", "invoice 7");

    [Fact]
    public void Pacs008_round_trips_through_xml_and_validates()
    {
        var uetr = Guid.NewGuid().ToString();
        var message = new Pacs008("BNYN-XB-1", At, "INDA", [SampleTx(uetr, new IsoAmount(Eur, 1_201_23))]);
        var parsed = Pacs008Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(Pacs008Builder.Write(message))));
        Assert.Equal(message.MessageId, parsed.MessageId);
        Assert.Equal(message.CreatedAt, parsed.CreatedAt);
        Assert.Equal(message.SettlementMethod, parsed.SettlementMethod);
        Assert.Equal(message.Transactions, parsed.Transactions);
    }

    [Fact]
    public void Jpy_amounts_are_written_without_decimals_and_decimals_are_refused()
    {
        var xml = Pacs008Builder.Write(new Pacs008("M", At, "INDA", [SampleTx(Guid.NewGuid().ToString(), new IsoAmount(Jpy, 123_456))]));
        Assert.Contains(">123456<", xml, StringComparison.Ordinal);
        var bad = xml.Replace(">123456<", ">123456.5<", StringComparison.Ordinal);
        var error = Assert.Throws<IsoInvalidException>(() => Pacs008Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(bad))));
        Assert.Equal("/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/IntrBkSttlmAmt", error.Errors[0].Path);
    }

    [Fact]
    public void Pacs002_round_trips()
    {
        var message = new Pacs002("STS-1", At, "BNYN-XB-1", "pacs.008.001.08",
            [new Pacs002Tx("42", "E2E-1", Guid.NewGuid().ToString(), "RJCT", "AC01", null), new Pacs002Tx(null, null, Guid.NewGuid().ToString(), "ACSC", null, At)]);
        var parsed = Pacs002Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(Pacs002Builder.Write(message))));
        Assert.Equal(message with { Transactions = [] }, parsed with { Transactions = [] });
        Assert.Equal(message.Transactions, parsed.Transactions);
    }

    [Fact]
    public void Pain001_round_trips()
    {
        var tx = new Pain001Tx("i1", "E2E-9", new IsoAmount(Eur, 500_00), "BNPAFRPPXXX", "Client SARL", "FR", "FR7630006000011234567890189", "order 9", "");
        var tx2 = tx with { EndToEndId = "E2E-10", Amount = new IsoAmount(Jpy, 70_000), CreditorCountry = "JP", CreditorAccount = "1234567", Remittance = null };
        var message = new Pain001("MSG-1", At, "Alice Ltd", [new Pain001Batch("B1", new DateOnly(2026, 11, 23), "Alice", IsoText.LedgerId(77), "BNYNCNSHXXX", [tx, tx2], "")]);
        var parsed = Pain001Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(Pain001Builder.Write(message))));
        Assert.Equal(message.MessageId, parsed.MessageId);
        var batch = Assert.Single(parsed.Batches);
        Assert.Equal("/Document/CstmrCdtTrfInitn/PmtInf[1]", batch.Path);
        Assert.Equal([tx with { Path = batch.Path + "/CdtTrfTxInf[1]" }, tx2 with { Path = batch.Path + "/CdtTrfTxInf[2]" }], batch.Transactions);
        Assert.Equal(message.Batches[0] with { Transactions = [], Path = "" }, batch with { Transactions = [], Path = "" });
    }

    [Fact]
    public void Camt053_round_trips_with_negative_balances()
    {
        var statement = new Camt053("BNYN-1", At, "STMT-1", At.AddDays(-1), At, IsoText.LedgerId(99), Cny, -5_00, 95_00,
            [new Camt053Entry(new IsoAmount(Cny, 100_00), true, At.AddHours(-2), IsoText.LedgerId(1234), "6501", null),
             new Camt053Entry(new IsoAmount(Cny, 1), false, At.AddHours(-1), IsoText.LedgerId(1235), "6851", Guid.NewGuid().ToString())]);
        var parsed = Camt053Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(Camt053Builder.Write(statement))));
        Assert.Equal(statement with { Entries = [] }, parsed with { Entries = [] });
        Assert.Equal(statement.Entries, parsed.Entries);
    }

    [Theory]
    [InlineData("<Document", "/", "malformed XML at line 1")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x \"y\">]><Document/>", "/", "DTD")]
    public void Malformed_or_dtd_xml_is_refused_at_the_root(string xml, string path, string fragment)
    {
        var error = Assert.Throws<IsoInvalidException>(() => IsoXml.Load(Encoding.UTF8.GetBytes(xml)));
        Assert.Equal(path, error.Errors[0].Path);
        Assert.Contains(fragment, error.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Structural_errors_carry_element_paths()
    {
        var xml = ValidPain001().Replace("Ccy=\"EUR\"", "Ccy=\"XXX\"", StringComparison.Ordinal)
            .Replace("<PmtMtd>TRF</PmtMtd>", "<PmtMtd>CHK</PmtMtd>", StringComparison.Ordinal)
            .Replace("<Nm>Client SARL</Nm>", "", StringComparison.Ordinal);
        var error = Assert.Throws<IsoInvalidException>(() => Pain001Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(xml))));
        var paths = error.Errors.Select(e => e.Path).ToList();
        Assert.Contains("/Document/CstmrCdtTrfInitn/PmtInf[1]/PmtMtd", paths);
        Assert.Contains("/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Amt/InstdAmt/@Ccy", paths);
        Assert.Contains("/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[1]/Cdtr/Nm", paths);
    }

    [Fact]
    public void Unknown_elements_out_of_order_elements_and_wrong_counts_are_refused()
    {
        var unknown = ValidPain001().Replace("<ChrgBr>DEBT</ChrgBr>", "<ChrgBr>DEBT</ChrgBr><Foo>1</Foo>", StringComparison.Ordinal);
        var e1 = Assert.Throws<IsoInvalidException>(() => Pain001Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(unknown))));
        Assert.Equal("/Document/CstmrCdtTrfInitn/PmtInf[1]/Foo", e1.Errors[0].Path);

        var count = ValidPain001().Replace("<NbOfTxs>1</NbOfTxs>", "<NbOfTxs>2</NbOfTxs>", StringComparison.Ordinal);
        var e2 = Assert.Throws<IsoInvalidException>(() => Pain001Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(count))));
        Assert.Contains(e2.Errors, e => e.Path == "/Document/CstmrCdtTrfInitn/GrpHdr/NbOfTxs");

        var order = ValidPain001().Replace("<PmtInfId>B1</PmtInfId><PmtMtd>TRF</PmtMtd>", "<PmtMtd>TRF</PmtMtd><PmtInfId>B1</PmtInfId>", StringComparison.Ordinal);
        var e3 = Assert.Throws<IsoInvalidException>(() => Pain001Builder.Read(IsoXml.Load(Encoding.UTF8.GetBytes(order))));
        Assert.Equal("/Document/CstmrCdtTrfInitn/PmtInf[1]/PmtInfId", e3.Errors[0].Path);
    }

    [Fact]
    public void A_uetr_must_be_a_version_4_uuid()
    {
        Assert.True(IsoText.IsUuid4(Guid.NewGuid().ToString()));
        Assert.False(IsoText.IsUuid4("00000000-0000-1000-8000-000000000000"));
        Assert.False(IsoText.IsUuid4(Guid.NewGuid().ToString().ToUpperInvariant()));
    }

    [Fact]
    public void Ledger_ids_survive_the_iso_account_form()
    {
        var id = XbChart.Nostro(Cny);
        Assert.True(IsoText.TryLedgerId(IsoText.LedgerId(id), out var back));
        Assert.Equal(id, back);
        Assert.Equal(32, IsoText.LedgerId(id).Length);
    }

    internal static string ValidPain001(string debtor = "0000000000000000000000000000004D", string currency = "EUR", string amount = "500.00", string country = "FR") =>
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">
          <CstmrCdtTrfInitn>
            <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-11-23T03:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs><InitgPty><Nm>Alice Ltd</Nm></InitgPty></GrpHdr>
            <PmtInf>
              <PmtInfId>B1</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt><Dt>2026-11-23</Dt></ReqdExctnDt>
              <Dbtr><Nm>Alice</Nm></Dbtr><DbtrAcct><Id><Othr><Id>{debtor}</Id></Othr></Id></DbtrAcct>
              <DbtrAgt><FinInstnId><BICFI>BNYNCNSHXXX</BICFI></FinInstnId></DbtrAgt><ChrgBr>DEBT</ChrgBr>
              <CdtTrfTxInf>
                <PmtId><EndToEndId>E2E-1</EndToEndId></PmtId>
                <Amt><InstdAmt Ccy="{currency}">{amount}</InstdAmt></Amt>
                <CdtrAgt><FinInstnId><BICFI>BNPAFRPPXXX</BICFI></FinInstnId></CdtrAgt>
                <Cdtr><Nm>Client SARL</Nm><PstlAdr><Ctry>{country}</Ctry></PstlAdr></Cdtr>
                <CdtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></CdtrAcct>
                <RmtInf><Ustrd>order 9</Ustrd></RmtInf>
              </CdtTrfTxInf>
            </PmtInf>
          </CstmrCdtTrfInitn>
        </Document>
        """;
}
