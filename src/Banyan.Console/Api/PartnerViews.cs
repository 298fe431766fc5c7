namespace Banyan.StaffConsole.Api;

// Views of GET /v1/open-banking/partners and /v1/open-banking/consents (Banyan.OpenBanking AdminListEndpoints).

internal sealed class PartnerItemView
{
    public string PartnerId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Status { get; set; } = "";
    public bool Sandbox { get; set; }
    public string ClientId { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
    public List<string> ChecklistMissing { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
}

internal sealed class PartnerListItemView
{
    public PartnerItemView Partner { get; set; } = new();
    public int ChecklistDoneCount { get; set; }
    public int ChecklistTotal { get; set; }
}

internal sealed class PartnerPageView
{
    public List<PartnerListItemView> Items { get; set; } = [];
    public int Page { get; set; }
    public int PageSize { get; set; }
    public int Total { get; set; }
    public bool HasMore { get; set; }
}

internal sealed class ConsentItemView
{
    public string ConsentId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Status { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string? CustomerId { get; set; }
    public List<string> Permissions { get; set; } = [];
    public DateTimeOffset ExpiresAt { get; set; }
    public bool Expired { get; set; }
    public long? AmountMinor { get; set; }
    public string? Currency { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ConsentPageView
{
    public List<ConsentItemView> Items { get; set; } = [];
    public int Page { get; set; }
    public int PageSize { get; set; }
    public int Total { get; set; }
    public bool HasMore { get; set; }
}
