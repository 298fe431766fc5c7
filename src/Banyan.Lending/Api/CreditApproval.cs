using Banyan.Credit.Contracts;
using Banyan.Platform.Http;
using Microsoft.AspNetCore.Http;

namespace Banyan.Lending.Api;

/// <summary>
/// A loan is booked only from an approved credit decision and within the limit it offered (issue 9,
/// decision 0510). Pure: the decision lookup is passed in; a refusal is a 422 problem with a reason.
/// </summary>
internal static class CreditApproval
{
    public static IResult? Check(LoanBody body, LendingOptions options, ICreditDecisions? decisions)
    {
        if (!options.RequireCreditDecision) return null;
        if (decisions is null)
            return Refuse("credit_module_missing", "this host has no credit module to approve loans; compose it or set Banyan:Lending:RequireCreditDecision=false");
        var decision = decisions.Find(body.ApplicationId);
        if (decision is null)
            return Refuse("application_not_found", $"no credit decision '{body.ApplicationId}': apply with POST /v1/credit/applications first");
        if (!decision.Approved)
            return Refuse("application_not_approved", $"credit application '{decision.ApplicationId}' was decided '{decision.Decision}', not approved");
        if (decision.Limit is { } limit && body.Principal > limit)
            return Refuse("exceeds_approved_limit", $"principal {body.Principal} exceeds the approved limit {limit} (minor units)");
        return null;
    }

    private static IResult Refuse(string reason, string detail) => BanyanProblems.Unprocessable(detail, [new("reason", reason)]);
}
