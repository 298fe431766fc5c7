namespace Banyan.StaffConsole.Api;

// Views of GET /v1/credit/models and /v1/credit/models/{version} (Banyan.Credit ModelEndpoints), kept in
// their own file so the shared Views.cs stays free of merge conflicts.

internal sealed class ModelVersionItemView
{
    public string Version { get; set; } = "";
    public string Status { get; set; } = "";
    public double CvAuc { get; set; }
    public bool? FairnessMeetsGap { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    public string? OverrideReason { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
    public string? RetiredBy { get; set; }
}

internal sealed class ModelVersionListView
{
    public List<ModelVersionItemView> Items { get; set; } = [];
}

internal sealed class ModelMetricsView
{
    public double CvAuc { get; set; }
    public double CvKs { get; set; }
    public double CvBrier { get; set; }
    public double BaselineCvAuc { get; set; }
    public double ApprovalRate { get; set; }
}

internal sealed class ProtectedAttributeView
{
    public string Column { get; set; } = "";
    public string Privileged { get; set; } = "";
    public string PrivilegedGroup { get; set; } = "";
    public string UnprivilegedGroup { get; set; } = "";
}

internal sealed class FairnessGroupView
{
    public string Group { get; set; } = "";
    public int N { get; set; }
    public double ApprovalRate { get; set; }
    public double? Tpr { get; set; }
    public double? Fpr { get; set; }
}

internal sealed class FairnessReportView
{
    public double DemographicParityDifference { get; set; }
    public double? EqualOpportunityDifference { get; set; }
    public double? DisparateImpact { get; set; }
    public bool FourFifthsRule { get; set; }
    public List<FairnessGroupView> Groups { get; set; } = [];
}

internal sealed class MitigationCandidateView
{
    public string Name { get; set; } = "";
    public double Auc { get; set; }
    public double DemographicParityDifference { get; set; }
    public double? EqualOpportunityDifference { get; set; }
    public double? DisparateImpact { get; set; }
    public double ApprovalRate { get; set; }
    public bool MeetsGap { get; set; }
}

internal sealed class FairnessAuditView
{
    public double MaxParityGap { get; set; }
    public string Mitigation { get; set; } = "";
    public bool MeetsGap { get; set; }
    public FairnessReportView Before { get; set; } = new();
    public FairnessReportView After { get; set; } = new();
    public List<MitigationCandidateView> Candidates { get; set; } = [];
}

internal sealed class ModelVersionDetailView
{
    public ModelVersionItemView Model { get; set; } = new();
    public string Algorithm { get; set; } = "";
    public int TrainingRows { get; set; }
    public ModelMetricsView Metrics { get; set; } = new();
    public ProtectedAttributeView? Protected { get; set; }
    public FairnessAuditView? Fairness { get; set; }
    public bool FairnessPasses { get; set; }
}
