using System.Globalization;
using System.Security.Claims;
using System.Text;
using Banyan.Payments.CrossBorder.Iso;
using Banyan.Platform;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Banyan.Payments.CrossBorder;

/// <summary>Problem types of cross-border payments.</summary>
internal static class XbProblems
{
    public static readonly ProblemType QuoteExpired = ProblemType.Define("payments/quote-expired", 409, "The quote has expired.");
    public static readonly ProblemType InvalidMessage = ProblemType.Define("payments/invalid-iso20022", 400, "The ISO 20022 message is invalid.");
    public static readonly ProblemType NotSent = ProblemType.Define("payments/not-sent", 409, "The payment has not been released.");

    public static ProblemHttpResult Invalid(IsoInvalidException e) => BanyanProblems.Problem(InvalidMessage, $"{e.Errors[0].Path}: {e.Errors[0].Message}",
        [new("path", e.Errors[0].Path), new("errors", e.Errors.Select(x => new Dictionary<string, string> { ["path"] = x.Path, ["message"] = x.Message }).ToList())]);

    public static ProblemHttpResult Invalid(XbInvalidException e) =>
        BanyanProblems.Validation(e.Message, e.Errors.ToDictionary(x => x.Key, x => new[] { x.Value }));
}

/// <summary>The cross-border API under <c>/v1/payments</c> (scope <c>payments</c>), documented in docs/payments-cross-border.md.</summary>
internal static class CrossBorderEndpoints
{
    private const string Xml = "application/xml";

    public static void Map(IEndpointRouteBuilder v1)
    {
        var payments = v1.MapGroup("/payments").RequireAuthorization(ScopePolicy.For("payments")).WithTags("Payments: cross-border");
        var xb = payments.MapGroup("/cross-border");
        xb.MapGet("/corridors", Corridors).WithName("ListCrossBorderCorridors")
            .WithSummary("The 23 destination countries with currency, local cut-off, fee schedule, extra spread and expected delivery (illustrative table).");
        xb.MapPost("/quotes", QuoteAsync).WithName("CreateCrossBorderQuote")
            .WithSummary("Prices a payment: rate, fee, FX margin, total cost and expected delivery, valid until expires_at.");
        xb.MapGet("/quotes/{id}", GetQuoteAsync).WithName("GetCrossBorderQuote").WithSummary("A quote and whether it is open, expired or accepted.");
        xb.MapPost("/quotes/{id}/accept", AcceptAsync).WithName("AcceptCrossBorderQuote")
            .WithSummary("Accepts an open quote at its locked rate: screening, FX (linked ledger legs), release with a UETR. Repeating returns the same payment.");
        xb.MapPost("/pain001", Pain001Async).WithName("SubmitPain001").Accepts<string>(Xml).WithRequestBodyLimit(IsoXml.MaxBytes)
            .WithSummary("Accepts an ISO 20022 pain.001.001.09 initiation; every credit transfer becomes a payment. Invalid messages change nothing.");
        xb.MapPost("/inbound", InboundAsync).WithName("ReceiveCrossBorderMessage").Accepts<string>(Xml).WithRequestBodyLimit(IsoXml.MaxBytes)
            .WithSummary("A message from a correspondent: pacs.002.001.10 status report (ACSC credits, RJCT returns) or pacs.008.001.08 incoming credit.");
        xb.MapGet("/{uetr:guid}", TrackAsync).WithName("TrackCrossBorderPayment")
            .WithSummary("A payment by UETR: status, timeline, ledger legs and the G20 cost/speed report.");
        xb.MapGet("/{uetr:guid}/pacs008", Pacs008Async).WithName("GetCrossBorderPacs008")
            .WithSummary("The pacs.008.001.08 sent for a released payment.").Produces<string>(StatusCodes.Status200OK, Xml);
        payments.MapGet("/accounts/{id}/camt053", Camt053Endpoint.GetAsync).WithName("GetCamt053Statement")
            .WithSummary("A camt.053.001.08 statement of a customer account for [from, to) (ISO 8601 instants) from the ledger history.")
            .Produces<string>(StatusCodes.Status200OK, Xml);
    }

    internal static string ActorOf(ClaimsPrincipal user) =>
        user.FindFirst("client_id")?.Value ?? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "unknown";

    /// <summary>Reads an XML body (content type <c>application/xml</c>, <c>text/xml</c> or <c>*+xml</c>) into a validated-safe document.</summary>
    internal static async Task<(System.Xml.Linq.XDocument? Doc, IResult? Error)> ReadXmlAsync(HttpContext http)
    {
        var type = http.Request.ContentType ?? "";
        if (!(type.StartsWith(Xml, StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/xml", StringComparison.OrdinalIgnoreCase) || type.Contains("+xml", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, BanyanProblems.Problem(ProblemTypes.UnsupportedMediaType, "Send the ISO 20022 message as application/xml."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > IsoXml.MaxBytes)
            {
                return (null, BanyanProblems.Problem(ProblemTypes.PayloadTooLarge, $"An ISO 20022 message is at most {IsoXml.MaxBytes} bytes."));
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return (IsoXml.Load(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)), null);
        }
        catch (IsoInvalidException e)
        {
            return (null, XbProblems.Invalid(e));
        }
    }

    private static Ok<CorridorList> Corridors(CorridorTable table) =>
        TypedResults.Ok(new CorridorList(true, "Illustrative corridor table (not any real bank's terms); UTC offsets are standard time, holidays are not modelled.",
            table.All.Select(CorridorView.Of).ToList()));

    private static async Task<Results<Created<QuoteView>, ProblemHttpResult>> QuoteAsync(QuoteRequestBody body, HttpContext http, XbQuotes quotes, CrossBorderClock clock)
    {
        if (!UInt128.TryParse(body.DebitAccountId, NumberStyles.None, CultureInfo.InvariantCulture, out var account))
        {
            return BanyanProblems.Validation("debit_account_id must be a ledger account id (decimal).", new Dictionary<string, string[]> { ["debit_account_id"] = ["not a decimal id"] });
        }

        try
        {
            var input = new QuoteInput(ActorOf(http.User), account, body.DestinationCountry, body.SendAmount, body.ReceiveAmount,
                body.Creditor.Name, body.Creditor.Account, body.Creditor.AgentBic, body.Remittance, body.EndToEndId);
            var quote = await quotes.CreateAsync(input, http.RequestAborted);
            return TypedResults.Created($"/v1/payments/cross-border/quotes/{quote.Id}", QuoteView.Of(quote, clock.Time.GetUtcNow(), accepted: false));
        }
        catch (XbInvalidException e)
        {
            return XbProblems.Invalid(e);
        }
    }

    private static async Task<Results<Ok<QuoteView>, ProblemHttpResult>> GetQuoteAsync(string id, HttpContext http, XbQuotes quotes, CrossBorderClock clock, XbTracking tracking)
    {
        var quote = await quotes.FindAsync(id, http.RequestAborted);
        if (quote is null || quote.Initiator != ActorOf(http.User))
        {
            return BanyanProblems.NotFound($"No quote {id}.");
        }

        var accepted = await tracking.IsAcceptedAsync(id, http.RequestAborted);
        return TypedResults.Ok(QuoteView.Of(quote, clock.Time.GetUtcNow(), accepted));
    }

    private static async Task<Results<Ok<PaymentView>, ProblemHttpResult>> AcceptAsync(string id, HttpContext http, XbPayments payments, XbTracking tracking)
    {
        var (payment, refusal) = await payments.AcceptAsync(ActorOf(http.User), id, http.RequestAborted);
        return refusal switch
        {
            AcceptRefusal.NotFound => BanyanProblems.NotFound($"No quote {id}."),
            AcceptRefusal.Expired => BanyanProblems.Problem(XbProblems.QuoteExpired, $"Quote {id} expired; ask for a new quote."),
            _ => TypedResults.Ok((await tracking.ViewAsync(payment!.Uetr, http.RequestAborted))!),
        };
    }

    private static async Task<Results<Ok<PaymentView>, ProblemHttpResult>> TrackAsync(Guid uetr, HttpContext http, XbTracking tracking)
    {
        var found = await tracking.FindAsync(uetr.ToString(), http.RequestAborted);
        return found is not { } f || f.Quote.Initiator != ActorOf(http.User)
            ? BanyanProblems.NotFound($"No cross-border payment with UETR {uetr}.")
            : TypedResults.Ok(await tracking.ViewAsync(f.Payment, f.Quote, http.RequestAborted));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Pacs008Async(Guid uetr, HttpContext http, XbTracking tracking, CorridorTable corridors, IOptions<CrossBorderOptions> options)
    {
        var found = await tracking.FindAsync(uetr.ToString(), http.RequestAborted);
        if (found is not { } f || f.Quote.Initiator != ActorOf(http.User))
        {
            return BanyanProblems.NotFound($"No cross-border payment with UETR {uetr}.");
        }

        if (f.Payment.SentAtUnixMs is null)
        {
            return BanyanProblems.Problem(XbProblems.NotSent, $"Payment {uetr} is {f.Payment.Status}: no pacs.008 was sent.");
        }

        corridors.TryGet(f.Quote.Country, out var corridor);
        var xml = Pacs008Builder.Write(Pacs008Builder.ForPayment(f.Payment, f.Quote, corridor, options.Value.BankBic));
        return TypedResults.Text(xml, Xml, Encoding.UTF8);
    }

    private static async Task<Results<Ok<Pain001Result>, ProblemHttpResult>> Pain001Async(HttpContext http, XbPain001 handler)
    {
        var (doc, error) = await ReadXmlAsync(http);
        if (error is not null)
        {
            return (ProblemHttpResult)error;
        }

        try
        {
            return TypedResults.Ok(await handler.SubmitAsync(ActorOf(http.User), doc!, http.RequestAborted));
        }
        catch (IsoInvalidException e)
        {
            return XbProblems.Invalid(e);
        }
    }

    private static async Task<Results<Ok<InboundResult>, ProblemHttpResult>> InboundAsync(HttpContext http, XbInbound inbound)
    {
        var (doc, error) = await ReadXmlAsync(http);
        if (error is not null)
        {
            return (ProblemHttpResult)error;
        }

        try
        {
            var ns = doc!.Root!.Name.Namespace;
            if (ns == Pacs002Builder.Ns)
            {
                return TypedResults.Ok(await inbound.ApplyStatusReportAsync(Pacs002Builder.Read(doc), http.RequestAborted));
            }

            if (ns == Pacs008Schema.Ns)
            {
                return TypedResults.Ok(await inbound.ReceiveCreditsAsync(Pacs008Builder.Read(doc), http.RequestAborted));
            }

            throw IsoInvalidException.At("/" + doc.Root.Name.LocalName, $"unsupported message namespace '{ns.NamespaceName}'; send {Pacs002Builder.Ns.NamespaceName} or {Pacs008Schema.Ns.NamespaceName}");
        }
        catch (IsoInvalidException e)
        {
            return XbProblems.Invalid(e);
        }
    }
}
