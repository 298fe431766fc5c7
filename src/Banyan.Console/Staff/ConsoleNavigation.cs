namespace Banyan.StaffConsole.Staff;

/// <summary>
/// The console's navigation registry: one entry per page, with the permission that shows it. A new
/// module's pages (payments, regtech, gateway) are added here and nowhere else in the shell.
/// </summary>
internal static class ConsoleNavigation
{
    public static readonly IReadOnlyList<NavEntry> Entries =
    [
        new("/console", "nav_dashboard", MudBlazor.Icons.Material.Filled.Dashboard, StaffPermission.ViewDashboard),
        new("/console/ledger", "nav_ledger", MudBlazor.Icons.Material.Filled.AccountBalance, StaffPermission.ViewLedger),
        new("/console/aml", "nav_aml", MudBlazor.Icons.Material.Filled.Policy, StaffPermission.ViewAml),
        new("/console/credit", "nav_credit", MudBlazor.Icons.Material.Filled.Insights, StaffPermission.ViewCredit),
        new("/console/loans", "nav_loans", MudBlazor.Icons.Material.Filled.RequestQuote, StaffPermission.ViewLoans),
        new("/console/audit", "nav_audit", MudBlazor.Icons.Material.Filled.FactCheck, StaffPermission.ViewAudit),
        new("/console/regtech", "nav_regtech", MudBlazor.Icons.Material.Filled.Gavel, StaffPermission.ViewRegTech),
        new("/console/payments", "nav_payments", MudBlazor.Icons.Material.Filled.Public, StaffPermission.ViewPayments),
        new("/console/gateway", "nav_gateway", MudBlazor.Icons.Material.Filled.Router, StaffPermission.ViewGateway),
        new("/console/models", "nav_models", MudBlazor.Icons.Material.Filled.ModelTraining, StaffPermission.ViewModels),
        new("/console/partners", "nav_partners", MudBlazor.Icons.Material.Filled.Handshake, StaffPermission.ViewPartners),
        new("/console/staff", "nav_staff", MudBlazor.Icons.Material.Filled.ManageAccounts, StaffPermission.ManageStaff),
    ];
}

/// <summary>A page in the navigation drawer: path, resource key of its title, icon, and who sees it.</summary>
internal sealed record NavEntry(string Path, string TitleKey, string Icon, StaffPermission Permission);
