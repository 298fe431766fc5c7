namespace Banyan.StaffConsole.Staff;

/// <summary>
/// The five staff roles and what each may see and do (docs/console.md, roles matrix). Pages and
/// actions ask <see cref="Allows"/>; the matrix is the single source of truth.
/// </summary>
internal static class StaffRoles
{
    public const string Operator = "operator";
    public const string RiskOfficer = "risk_officer";
    public const string AmlAnalyst = "aml_analyst";
    public const string ComplianceOfficer = "compliance_officer";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Operator, RiskOfficer, AmlAnalyst, ComplianceOfficer, Admin];

    private static readonly Dictionary<StaffPermission, string[]> Matrix = new()
    {
        [StaffPermission.ViewDashboard] = [Operator, RiskOfficer, AmlAnalyst, ComplianceOfficer, Admin],
        [StaffPermission.ViewLedger] = [Operator, ComplianceOfficer, Admin],
        [StaffPermission.ViewAml] = [AmlAnalyst, ComplianceOfficer, Admin],
        [StaffPermission.WorkAmlCase] = [AmlAnalyst, ComplianceOfficer, Admin],
        [StaffPermission.ViewCredit] = [RiskOfficer, ComplianceOfficer, Admin],
        [StaffPermission.ViewLoans] = [Operator, RiskOfficer, ComplianceOfficer, Admin],
        [StaffPermission.ViewAudit] = [ComplianceOfficer, Admin],
        [StaffPermission.ViewRegTech] = [ComplianceOfficer, RiskOfficer, Admin],
        [StaffPermission.ViewGateway] = [Admin],
        [StaffPermission.ViewPayments] = [Operator, ComplianceOfficer, Admin],
        [StaffPermission.ViewModels] = [RiskOfficer, Admin],
        [StaffPermission.ApproveModel] = [RiskOfficer, Admin],
        [StaffPermission.ViewPartners] = [Operator, ComplianceOfficer, Admin],
        [StaffPermission.ManageStaff] = [Admin],
    };

    public static bool Allows(IEnumerable<string> roles, StaffPermission permission) =>
        Matrix.TryGetValue(permission, out var allowed) && roles.Any(r => allowed.Contains(r, StringComparer.Ordinal));

    public static IReadOnlyList<string> RolesFor(StaffPermission permission) => Matrix[permission];
}

/// <summary>What a page or action needs.</summary>
internal enum StaffPermission
{
    ViewDashboard = 1,
    ViewLedger,
    ViewAml,
    WorkAmlCase,
    ViewCredit,
    ViewLoans,
    ViewAudit,
    ViewRegTech,
    ViewGateway,
    ViewPayments,
    ViewModels,
    ApproveModel,
    ViewPartners,
    ManageStaff,
}
