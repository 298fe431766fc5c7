using Microsoft.EntityFrameworkCore;

namespace Banyan.Gateway;

/// <summary>One billable call (gateway_metering); (partner, request_id) is unique, so a retried request is billed once.</summary>
internal sealed class MeteringRow
{
    public long Id { get; set; }

    public string Partner { get; set; } = "";

    public string RequestId { get; set; } = "";

    public string? Customer { get; set; }

    public string Endpoint { get; set; } = "";

    public int Status { get; set; }

    /// <summary>UTC year × 100 + month, e.g. 202611.</summary>
    public int Month { get; set; }

    public long AtUnixMs { get; set; }
}

/// <summary>A decision that was not a plain allow (gateway_decisions).</summary>
internal sealed class DecisionRow
{
    public long Id { get; set; }

    public long AtUnixMs { get; set; }

    public string Partner { get; set; } = "";

    public string? Customer { get; set; }

    public string Source { get; set; } = "";

    public string Region { get; set; } = "";

    public string Endpoint { get; set; } = "";

    /// <summary><c>block</c>, <c>step_up</c> or <c>rate_limited</c>.</summary>
    public string Outcome { get; set; } = "";

    /// <summary>Reasons, one per line.</summary>
    public string Reasons { get; set; } = "";

    public string? RequestId { get; set; }
}

/// <summary>Limits set through the admin API (gateway_partner_limits); they win over configuration.</summary>
internal sealed class PartnerLimitsRow
{
    public string Partner { get; set; } = "";

    public long PerSecond { get; set; }

    public long PerMinute { get; set; }

    public long PerHour { get; set; }

    public long PerMonth { get; set; }

    public long UpdatedAtUnixMs { get; set; }

    public string UpdatedBy { get; set; } = "";
}

internal static class GatewayModel
{
    public const int Id = 200;
    public const int Endpoint = 300;
    public const int Reasons = 4000;

    public static void Configure(ModelBuilder model)
    {
        var metering = model.Entity<MeteringRow>();
        metering.ToTable("gateway_metering");
        metering.HasKey(x => x.Id);
        metering.Property(x => x.Partner).HasMaxLength(Id);
        metering.Property(x => x.RequestId).HasMaxLength(Id);
        metering.Property(x => x.Customer).HasMaxLength(Id);
        metering.Property(x => x.Endpoint).HasMaxLength(Endpoint);
        metering.HasIndex(x => new { x.Partner, x.RequestId }).IsUnique();
        metering.HasIndex(x => new { x.Partner, x.Month });

        var decision = model.Entity<DecisionRow>();
        decision.ToTable("gateway_decisions");
        decision.HasKey(x => x.Id);
        decision.Property(x => x.Partner).HasMaxLength(Id);
        decision.Property(x => x.Customer).HasMaxLength(Id);
        decision.Property(x => x.Source).HasMaxLength(64);
        decision.Property(x => x.Region).HasMaxLength(32);
        decision.Property(x => x.Endpoint).HasMaxLength(Endpoint);
        decision.Property(x => x.Outcome).HasMaxLength(16);
        decision.Property(x => x.Reasons).HasMaxLength(Reasons);
        decision.Property(x => x.RequestId).HasMaxLength(Id);
        decision.HasIndex(x => new { x.Partner, x.Id });

        var limits = model.Entity<PartnerLimitsRow>();
        limits.ToTable("gateway_partner_limits");
        limits.HasKey(x => x.Partner);
        limits.Property(x => x.Partner).HasMaxLength(Id);
        limits.Property(x => x.UpdatedBy).HasMaxLength(Id);
    }
}
