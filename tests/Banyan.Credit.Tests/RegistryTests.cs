using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;
using Banyan.Credit.Model;
using Banyan.Credit.Registry;


namespace Banyan.Credit.Tests;

/// <summary>Small credit-g models (30 trees) shared by registry and API tests.</summary>
internal static class SmallModels
{
    private static readonly Lazy<ModelDocument> fair = new(() => Trainer.Train(TestData.CreditGTable, Enumerable.Range(0, 1000).ToArray(), new TrainRequest
    {
        Label = "class", BadValue = "bad", Protected = new ProtectedGroup("age", ">25"), TargetApprovalRate = 0.7,
        Boosting = new BoostingOptions { Trees = 30, LearningRate = 0.15 },
    }, TextWriter.Null));

    public static ModelDocument Fair => fair.Value;

    /// <summary>The same model claiming its audit missed the gap.</summary>
    public static ModelDocument Unfair => Fair with { Fairness = Fair.Fairness! with { MeetsGap = false } };
}

public sealed class RegistryTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "banyan-credit-registry-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ManualTime time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void A_model_goes_from_draft_to_approved_to_retired_and_scores_only_while_approved()
    {
        var registry = new ModelRegistry(directory, time);
        var draft = registry.Register(SmallModels.Fair);
        Assert.Equal(ModelStatus.Draft, draft.Status);
        Assert.Matches("^v1-[0-9a-f]{8}$", draft.Version);
        Assert.Throws<RegistryException>(() => registry.ForScoring(draft.Version));
        Assert.Throws<RegistryException>(() => registry.ForScoring(null));

        time.Advance(TimeSpan.FromHours(1));
        var approved = registry.Approve(draft.Version, "risk committee");
        Assert.Equal((ModelStatus.Approved, "risk committee", time.GetUtcNow()), (approved.Status, approved.ApprovedBy, approved.ApprovedAt!.Value));
        Assert.Equal(draft.Version, registry.ForScoring(null).Entry.Version);

        registry.Retire(draft.Version);
        Assert.Throws<RegistryException>(() => registry.ForScoring(draft.Version));
        Assert.Throws<RegistryException>(() => registry.Approve(draft.Version, "someone"));
        // The registry survives a restart: state is on disk.
        Assert.Equal(ModelStatus.Retired, new ModelRegistry(directory, time).List().Single().Status);
    }

    [Fact]
    public void A_model_that_misses_its_parity_gap_cannot_be_approved()
    {
        var registry = new ModelRegistry(directory, time);
        var entry = registry.Register(SmallModels.Unfair);
        Assert.ThrowsAny<RegistryException>(() => registry.Approve(entry.Version, "risk committee"));
        Assert.Equal(ModelStatus.Draft, registry.List().Single().Status);
    }

    [Fact]
    public void Approval_needs_an_approver_and_a_known_version()
    {
        var registry = new ModelRegistry(directory, time);
        var entry = registry.Register(SmallModels.Fair);
        Assert.Throws<ArgumentException>(() => registry.Approve(entry.Version, " "));
        Assert.Throws<KeyNotFoundException>(() => registry.Approve("v9-00000000", "x"));
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
