using System.Security.Claims;
using Banyan.Credit.Model;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Banyan.Credit.Registry;

/// <summary>
/// The model registry over HTTP (decision 0660): list versions and read one with its stored fairness
/// audit (scope <c>credit</c>); approve and retire (scope <c>credit-admin</c>, the risk officer's /
/// credit administrator's scope). The approver is the authenticated caller, never a body field.
/// Approval of a version whose audit misses its parity gap is refused (409) unless the body carries an
/// <c>override_reason</c>, which is stored with the version and written to the audit log.
/// </summary>
internal static class ModelEndpoints
{
    public const string AdminScope = "credit-admin";
    public const int MaxBodyBytes = 8 * 1024;

    public static void Map(IEndpointRouteBuilder v1)
    {
        var models = v1.MapGroup("/credit/models").WithTags("Credit models");
        models.MapGet("", List).RequireAuthorization(ScopePolicy.For("credit")).WithName("ListCreditModels")
            .WithSummary("Registered credit model versions, oldest first, with status, cross-validated AUC, fairness gate and approval.");
        models.MapGet("/{version}", Get).RequireAuthorization(ScopePolicy.For("credit")).WithName("GetCreditModel")
            .WithSummary("One model version with its metrics and the fairness audit stored with it (per-group outcomes before and after mitigation).");
        models.MapPost("/{version}/approve", ApproveAsync).RequireAuthorization(ScopePolicy.For(AdminScope)).WithRequestBodyLimit(MaxBodyBytes)
            .WithName("ApproveCreditModel")
            .WithSummary("Approve a draft version as the calling actor. A version failing its fairness threshold needs an override_reason, which is recorded.");
        models.MapPost("/{version}/retire", RetireAsync).RequireAuthorization(ScopePolicy.For(AdminScope)).WithName("RetireCreditModel")
            .WithSummary("Retire a version: it no longer scores applications.");
    }

    private static Ok<ModelVersionList> List(ModelRegistry registry) =>
        TypedResults.Ok(new ModelVersionList([.. registry.List().Select(ModelVersionView.Of)]));

    private static Results<Ok<ModelVersionDetail>, ProblemHttpResult> Get(string version, ModelRegistry registry) =>
        registry.Find(version) is { } found
            ? TypedResults.Ok(ModelVersionDetail.Of(found.Entry, found.Document))
            : BanyanProblems.NotFound($"model version '{version}' is not registered");

    private static async Task<Results<Ok<ModelVersionView>, ProblemHttpResult>> ApproveAsync(
        string version, ApproveModelRequest? body, ModelRegistry registry, IAuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (body?.OverrideReason is { Length: > ModelRegistry.MaxOverrideReasonLength })
            return BanyanProblems.Validation($"override_reason has at most {ModelRegistry.MaxOverrideReasonLength} characters",
                new Dictionary<string, string[]> { ["override_reason"] = ["too long"] });
        if (!ModelRegistry.IsVersionName(version)) return BanyanProblems.NotFound($"model version '{version}' is not registered");
        var actor = Actor(user);
        try
        {
            var entry = registry.Approve(version, actor, body?.OverrideReason);
            var details = new Dictionary<string, string> { ["fairness_meets_gap"] = Flag(entry.FairnessMeetsGap) };
            if (entry.OverrideReason is { } reason) details["override_reason"] = reason;
            await audit.AppendAsync(new AuditEntry("credit_model", "model_approved", actor, version, "succeeded", details), cancellationToken);
            return TypedResults.Ok(ModelVersionView.Of(entry));
        }
        catch (FairnessGateException e)
        {
            // A refused approval is a decision worth keeping: someone tried to ship a model that fails its audit.
            await audit.AppendAsync(new AuditEntry("credit_model", "model_approved", actor, version, "refused",
                new Dictionary<string, string> { ["reason"] = "fairness_gate" }), cancellationToken);
            return BanyanProblems.Conflict(e.Message);
        }
        catch (RegistryException e) { return BanyanProblems.Conflict(e.Message); }
        catch (KeyNotFoundException e) { return BanyanProblems.NotFound(e.Message); }
    }

    private static async Task<Results<Ok<ModelVersionView>, ProblemHttpResult>> RetireAsync(
        string version, ModelRegistry registry, IAuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!ModelRegistry.IsVersionName(version)) return BanyanProblems.NotFound($"model version '{version}' is not registered");
        var actor = Actor(user);
        try
        {
            var entry = registry.Retire(version, actor);
            await audit.AppendAsync(new AuditEntry("credit_model", "model_retired", actor, version, "succeeded"), cancellationToken);
            return TypedResults.Ok(ModelVersionView.Of(entry));
        }
        catch (RegistryException e) { return BanyanProblems.Conflict(e.Message); }
        catch (KeyNotFoundException e) { return BanyanProblems.NotFound(e.Message); }
    }

    /// <summary>The caller as the platform records it: the token's client (the console rewrites it to <c>console:&lt;user&gt;</c>).</summary>
    internal static string Actor(ClaimsPrincipal user) =>
        user.FindFirst("client_id")?.Value ?? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "unknown";

    private static string Flag(bool? value) => value switch { true => "true", false => "false", null => "unknown" };
}

/// <summary>Body of an approval; <c>override_reason</c> only matters when the fairness audit fails.</summary>
internal sealed record ApproveModelRequest(string? OverrideReason = null);

/// <summary>The registry's versions.</summary>
internal sealed record ModelVersionList(IReadOnlyList<ModelVersionView> Items);

/// <summary>One version's registry entry.</summary>
internal sealed record ModelVersionView(
    string Version,
    string Status,
    double CvAuc,
    bool? FairnessMeetsGap,
    string ModelSha256,
    string TrainingDataSha256,
    DateTimeOffset RegisteredAt,
    string? ApprovedBy,
    DateTimeOffset? ApprovedAt,
    string? OverrideReason,
    DateTimeOffset? RetiredAt,
    string? RetiredBy)
{
    public static ModelVersionView Of(RegistryEntry e) =>
        new(e.Version, e.Status.ToString().ToLowerInvariant(), e.CvAuc, e.FairnessMeetsGap, e.ModelSha256, e.TrainingDataSha256,
            e.RegisteredAt, e.ApprovedBy, e.ApprovedAt, e.OverrideReason, e.RetiredAt, e.RetiredBy);
}

/// <summary>
/// A version with its model's metrics and fairness audit. <c>fairness_passes</c> is the approval gate
/// (the audit meets the parity gap the model was trained to); the four-fifths rule is reported beside it.
/// </summary>
internal sealed record ModelVersionDetail(
    ModelVersionView Model,
    string Algorithm,
    int TrainingRows,
    MetricsDocument Metrics,
    ProtectedDocument? Protected,
    FairnessDocument? Fairness,
    bool FairnessPasses)
{
    public static ModelVersionDetail Of(RegistryEntry entry, ModelDocument document) =>
        new(ModelVersionView.Of(entry), document.Algorithm, document.TrainingRows, document.Metrics, document.Protected, document.Fairness,
            entry.FairnessMeetsGap != false);
}
