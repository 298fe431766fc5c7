namespace Banyan.Credit.Fairness;

/// <summary>One group's outcomes. "Approved" = predicted good; TPR/FPR treat "good" as the positive class.</summary>
internal sealed record GroupOutcome(string Group, int N, double ApprovalRate, double? Tpr, double? Fpr);

/// <summary>
/// The audit of a set of decisions. Differences are unprivileged minus privileged; disparate impact is
/// the ratio of approval rates (unprivileged / privileged), passing the four-fifths rule at ≥ 0.8.
/// </summary>
internal sealed record FairnessReport(
    IReadOnlyList<GroupOutcome> Groups,
    double DemographicParityDifference,
    double? EqualOpportunityDifference,
    double? DisparateImpact,
    bool FourFifthsRule)
{
    /// <summary>Audits decisions; rows with group −1 (protected value missing) are left out.</summary>
    public static FairnessReport Compute(IReadOnlyList<bool> approved, IReadOnlyList<int> bad, IReadOnlyList<int> group, Func<int, string> name)
    {
        if (approved.Count != bad.Count || bad.Count != group.Count) throw new ArgumentException("lengths differ");
        var privileged = Outcome(approved, bad, group, ProtectedGroup.PrivilegedGroup, name);
        var unprivileged = Outcome(approved, bad, group, ProtectedGroup.UnprivilegedGroup, name);
        double? eod = unprivileged.Tpr is { } tu && privileged.Tpr is { } tp ? tu - tp : null;
        double? di = privileged.ApprovalRate > 0 ? unprivileged.ApprovalRate / privileged.ApprovalRate : null;
        return new FairnessReport(
            [privileged, unprivileged],
            unprivileged.ApprovalRate - privileged.ApprovalRate,
            eod,
            di,
            di is >= 0.8);
    }

    private static GroupOutcome Outcome(IReadOnlyList<bool> approved, IReadOnlyList<int> bad, IReadOnlyList<int> group, int g, Func<int, string> name)
    {
        int n = 0, approvals = 0, goods = 0, goodApproved = 0, bads = 0, badApproved = 0;
        for (var i = 0; i < approved.Count; i++)
        {
            if (group[i] != g) continue;
            n++;
            if (approved[i]) approvals++;
            if (bad[i] == 0) { goods++; if (approved[i]) goodApproved++; }
            else { bads++; if (approved[i]) badApproved++; }
        }
        return new GroupOutcome(
            name(g),
            n,
            n == 0 ? 0 : (double)approvals / n,
            goods == 0 ? null : (double)goodApproved / goods,
            bads == 0 ? null : (double)badApproved / bads);
    }
}
