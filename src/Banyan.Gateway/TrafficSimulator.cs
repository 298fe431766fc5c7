using System.Net;
using Banyan.Platform.Security;

namespace Banyan.Gateway;

/// <summary>Size of a simulation run; every figure scales with it, and the seed fixes every random choice.</summary>
internal sealed record SimulationOptions(int Seed = 20261126, int Partners = 20, int CustomersPerPartner = 200, double Hours = 2, double AttackScale = 1.0)
{
    public void Validate()
    {
        if (Partners is < 2 or > 1_000) throw new ArgumentOutOfRangeException(nameof(Partners), Partners, "2..1000");
        if (CustomersPerPartner is < 10 or > 100_000) throw new ArgumentOutOfRangeException(nameof(CustomersPerPartner), CustomersPerPartner, "10..100000");
        if (Hours is < 0.5 or > 48) throw new ArgumentOutOfRangeException(nameof(Hours), Hours, "0.5..48");
        if (AttackScale is < 0.01 or > 10) throw new ArgumentOutOfRangeException(nameof(AttackScale), AttackScale, "0.01..10");
    }
}

/// <summary>The kinds of traffic the simulator replays.</summary>
internal enum TrafficKind
{
    Normal,
    Travel,
    Burst,
    StuffingManyAccounts,
    StuffingManySources,
    CrossRegion,
    ImpossibleTravel,
    Scraping,
}

/// <summary>Counts for one kind of traffic, and how many calls each attack episode got through before its first block.</summary>
internal sealed class KindResult(TrafficKind kind)
{
    public TrafficKind Kind { get; } = kind;

    public long Calls { get; set; }

    public long Blocked { get; set; }

    public long RateLimited { get; set; }

    public long StepUps { get; set; }

    public List<int> PassedBeforeFirstBlock { get; } = [];

    /// <summary>Refused by the gateway (detector block or limiter 429).</summary>
    public long Refused => Blocked + RateLimited;
}

/// <summary>What a run measured.</summary>
internal sealed record SimulationReport(IReadOnlyDictionary<TrafficKind, KindResult> Kinds, double Seconds, int TrackedKeys)
{
    public long LegitimateCalls => Kinds.Values.Where(k => IsLegitimate(k.Kind)).Sum(k => k.Calls);

    public long LegitimateRefused => Kinds.Values.Where(k => IsLegitimate(k.Kind)).Sum(k => k.Refused);

    public long AbusiveCalls => Kinds.Values.Where(k => !IsLegitimate(k.Kind)).Sum(k => k.Calls);

    public long AbusiveRefused => Kinds.Values.Where(k => !IsLegitimate(k.Kind)).Sum(k => k.Refused);

    public double AbusiveBlockedShare => AbusiveCalls == 0 ? 0 : AbusiveRefused / (double)AbusiveCalls;

    public double LegitimateBlockedShare => LegitimateCalls == 0 ? 0 : LegitimateRefused / (double)LegitimateCalls;

    public static bool IsLegitimate(TrafficKind kind) => kind is TrafficKind.Normal or TrafficKind.Travel;
}

/// <summary>
/// A deterministic partner-traffic generator and replayer (decision 0755). Legitimate partners call
/// from their servers in one home region for their customers (who send their own address in
/// <c>x-fapi-customer-ip-address</c>), with a per-partner rate and endpoint mix; a few customers
/// travel at airliner speed. After a warm-up, abusive episodes are mixed in: bursts, credential
/// stuffing both ways, cross-region use of a partner key, impossible travel and enumeration. Every
/// call goes through the same <see cref="GatewayDecider"/> as the middleware, on virtual time.
/// </summary>
internal sealed class TrafficSimulator
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Regions = ["CN-BJ", "CN-SH", "CN-GZ", "SG", "EU", "US-W", "CN-SZ", "CN-CD"];
    private static readonly string[] HomeRegions = ["CN-BJ", "CN-SH", "CN-GZ", "CN-SZ", "CN-CD"];
    private static readonly (string Endpoint, bool HasId, double Weight)[] Mix =
    [
        ("GET /v1/open-banking/accounts", false, 0.3), ("GET /v1/open-banking/accounts/{account_id}", true, 0.2),
        ("GET /v1/open-banking/accounts/{account_id}/balances", true, 0.25), ("GET /v1/open-banking/accounts/{account_id}/transactions", true, 0.2),
        ("GET /v1/open-banking/products", false, 0.05),
    ];

    private readonly SimulationOptions _options;
    private readonly Random _random;
    private readonly List<Call> _calls = [];
    private readonly List<Partner> _partners = [];
    private int _nextAddress;
    private int _episodes;

    public TrafficSimulator(SimulationOptions options)
    {
        options.Validate();
        _options = options;
        _random = new Random(options.Seed);
    }

    /// <summary>The CIDR → region table the simulated addresses come from: 10.&lt;region+1&gt;.0.0/16.</summary>
    public static RegionTable RegionTable { get; } = new(Regions.Select((r, i) => new RegionRange(IPNetwork.Parse($"10.{i + 1}.0.0/16"), r)));

    public SimulationReport Run(DetectorOptions? detectorOptions = null)
    {
        Generate();
        var detector = new AbnormalCallDetector(detectorOptions ?? new DetectorOptions());
        var limits = new LimitsStore(new GatewayOptions());
        var decider = new GatewayDecider(detector, new PartnerRateLimiter(limits.For), limits);
        var results = Enum.GetValues<TrafficKind>().ToDictionary(k => k, k => new KindResult(k));
        var firstBlock = new Dictionary<int, int>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var call in _calls.OrderBy(c => c.At).ThenBy(c => c.Sequence))
        {
            var verdict = decider.Decide(call.Observation(RegionTable));
            var result = results[call.Kind];
            result.Calls++;
            if (verdict.Decision.Outcome == AccessOutcome.Block) result.Blocked++;
            else if (!verdict.Limit.Allowed) result.RateLimited++;
            else if (verdict.Decision.Outcome == AccessOutcome.StepUp) result.StepUps++;
            if (call.Episode < 0) continue;
            if (!firstBlock.ContainsKey(call.Episode)) firstBlock[call.Episode] = 0;
            if (firstBlock[call.Episode] >= 0)
            {
                firstBlock[call.Episode] = verdict.Refused ? -1 - firstBlock[call.Episode] : firstBlock[call.Episode] + 1;
                if (firstBlock[call.Episode] < 0) result.PassedBeforeFirstBlock.Add(-1 - firstBlock[call.Episode]);
            }
        }

        return new SimulationReport(results, clock.Elapsed.TotalSeconds, detector.TrackedKeys);
    }

    private void Generate()
    {
        for (var p = 0; p < _options.Partners; p++) _partners.Add(NewPartner(p));
        var end = Start.AddHours(_options.Hours);
        foreach (var partner in _partners) Normal(partner, end);
        var attackStart = Start.AddMinutes(30);
        var attackSpan = end - attackStart - TimeSpan.FromMinutes(5);
        var episodes = Math.Max(1, (int)Math.Round(3 * _options.AttackScale));
        for (var e = 0; e < episodes; e++)
        {
            DateTimeOffset When() => attackStart + (attackSpan * _random.NextDouble());
            Burst(Pick(_partners), When());
            StuffingManyAccounts(Pick(_partners), When());
            StuffingManySources(Pick(_partners), When());
            CrossRegion(Pick(_partners), When());
            Scraping(Pick(_partners), When());
            for (var i = 0; i < 10; i++) ImpossibleTravel(Pick(_partners), When());
        }
    }

    private Partner NewPartner(int index)
    {
        var region = HomeRegions[index % HomeRegions.Length];
        var partner = new Partner($"partner-{index:D3}", region, [Address(region), Address(region)], 0.5 + (_random.NextDouble() * 3));
        for (var c = 0; c < _options.CustomersPerPartner; c++)
        {
            var home = _random.NextDouble() < 0.8 ? region : HomeRegions[_random.Next(HomeRegions.Length)];
            partner.Customers.Add(new Customer($"{partner.Id}-c{c:D5}", home, [Address(home), Address(home)], [.. Enumerable.Range(0, 1 + _random.Next(3)).Select(a => $"acc-{partner.Id}-{c}-{a}")]));
        }

        return partner;
    }

    /// <summary>Poisson arrivals at the partner's rate; each call for a customer (a few active ones most of the time), from its usual address.</summary>
    private void Normal(Partner partner, DateTimeOffset end)
    {
        var at = Start;
        while (true)
        {
            at = at.AddSeconds(-Math.Log(1 - _random.NextDouble()) / partner.Rate);
            if (at >= end) break;
            var customer = partner.Customers[(int)(partner.Customers.Count * Math.Pow(_random.NextDouble(), 2))];
            var kind = TrafficKind.Normal;
            if (customer.TravelledAt is null && at > Start.AddMinutes(20) && _random.NextDouble() < 0.0005)
            {
                // A legitimate trip: the next call comes from the new region no sooner than an airliner could get there.
                var destination = Regions[_random.Next(Regions.Length)];
                var km = RegionTable.DistanceKm(customer.Region, destination) ?? 0;
                customer.TravelledAt = at.AddHours((km / 750) + 0.5);
                customer.Region = destination;
                customer.Addresses = [Address(destination)];
            }

            var secondFactor = false;
            if (customer.TravelledAt is { } arrived)
            {
                if (at < arrived) continue;
                kind = TrafficKind.Travel;

                // The first call from the new region is asked for step-up; the customer confirms with TOTP and the partner's new token says so.
                secondFactor = customer.SteppedUp;
                customer.SteppedUp = true;
            }

            var (endpoint, hasId, _) = PickEndpoint();
            Add(kind, -1, at, partner.Id, customer.Id, endpoint, hasId ? Pick(customer.Accounts) : null, Pick(partner.Servers), Pick(customer.Addresses), secondFactor);
        }
    }

    private void Burst(Partner partner, DateTimeOffset at)
    {
        var episode = _episodes++;
        var source = Address(partner.Region);
        var calls = (int)(8_000 * _options.AttackScale);
        for (var i = 0; i < calls; i++) Add(TrafficKind.Burst, episode, at.AddSeconds(i / 400.0), partner.Id, null, "GET /v1/open-banking/products", null, source, null);
    }

    private void StuffingManyAccounts(Partner partner, DateTimeOffset at)
    {
        var episode = _episodes++;
        var attacker = Address(Pick(Regions));
        var calls = (int)(6_000 * _options.AttackScale);
        for (var i = 0; i < calls; i++)
        {
            var victim = i % 3 == 0 ? Pick(partner.Customers).Id : $"{partner.Id}-guess{_random.Next(1_000_000):D6}";
            Add(TrafficKind.StuffingManyAccounts, episode, at.AddSeconds(i / 4.0), partner.Id, victim, "GET /v1/open-banking/accounts", null, Pick(partner.Servers), attacker);
        }
    }

    private void StuffingManySources(Partner partner, DateTimeOffset at)
    {
        var victim = Pick(partner.Customers);
        var episode = _episodes++;
        var calls = (int)(3_000 * _options.AttackScale);
        for (var i = 0; i < calls; i++)
        {
            Add(TrafficKind.StuffingManySources, episode, at.AddSeconds(i / 2.0), partner.Id, victim.Id, "GET /v1/open-banking/accounts", null, Pick(partner.Servers), Address(Pick(Regions)));
        }
    }

    private void CrossRegion(Partner partner, DateTimeOffset at)
    {
        var episode = _episodes++;
        var far = Regions.First(r => r is "EU" or "US-W" && r != partner.Region);
        var source = Address(far);
        var calls = (int)(2_000 * _options.AttackScale);
        for (var i = 0; i < calls; i++)
        {
            var customer = Pick(partner.Customers);
            Add(TrafficKind.CrossRegion, episode, at.AddSeconds(i / 5.0), partner.Id, customer.Id, "GET /v1/open-banking/accounts/{account_id}/transactions", Pick(customer.Accounts), source, Address(far));
        }
    }

    private void ImpossibleTravel(Partner partner, DateTimeOffset at)
    {
        var victim = Pick(partner.Customers);
        var episode = _episodes++;
        var far = victim.Region.StartsWith("CN", StringComparison.Ordinal) ? "US-W" : "CN-BJ";
        var attacker = Address(far);

        // The victim uses the app at home, and minutes later the stolen session is used from the far region.
        Add(TrafficKind.Normal, -1, at, partner.Id, victim.Id, "GET /v1/open-banking/accounts", null, Pick(partner.Servers), Pick(victim.Addresses));
        for (var i = 0; i < 40; i++)
        {
            Add(TrafficKind.ImpossibleTravel, episode, at.AddMinutes(5 + (i * 0.5)), partner.Id, victim.Id, "GET /v1/open-banking/accounts/{account_id}/transactions", Pick(victim.Accounts), Pick(partner.Servers), attacker);
        }
    }

    private void Scraping(Partner partner, DateTimeOffset at)
    {
        var episode = _episodes++;
        var source = Address(partner.Region);
        var calls = (int)(5_000 * _options.AttackScale);
        for (var i = 0; i < calls; i++)
        {
            Add(TrafficKind.Scraping, episode, at.AddSeconds(i / 8.0), partner.Id, null, "GET /v1/open-banking/accounts/{account_id}", $"acc-{100_000 + i}", source, null);
        }
    }

    private (string, bool, double) PickEndpoint()
    {
        var x = _random.NextDouble();
        foreach (var entry in Mix)
        {
            x -= entry.Weight;
            if (x <= 0) return entry;
        }

        return Mix[^1];
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>A fresh address inside the region's /16 (never reused, so sources are distinct).</summary>
    private string Address(string region)
    {
        var n = ++_nextAddress;
        var index = Array.IndexOf(Regions, region) + 1;
        return $"10.{index}.{(n / 250) % 250}.{(n % 250) + 1}";
    }

    private void Add(TrafficKind kind, int episode, DateTimeOffset at, string partner, string? customer, string endpoint, string? resource, string source, string? customerSource, bool secondFactor = false) =>
        _calls.Add(new Call(_calls.Count, kind, episode, at, partner, customer, endpoint, resource, source, customerSource, secondFactor));

    private sealed record Partner(string Id, string Region, string[] Servers, double Rate)
    {
        public List<Customer> Customers { get; } = [];
    }

    private sealed class Customer(string id, string region, string[] addresses, string[] accounts)
    {
        public string Id { get; } = id;

        public string Region { get; set; } = region;

        public string[] Addresses { get; set; } = addresses;

        public string[] Accounts { get; } = accounts;

        public DateTimeOffset? TravelledAt { get; set; }

        public bool SteppedUp { get; set; }
    }

    private sealed record Call(int Sequence, TrafficKind Kind, int Episode, DateTimeOffset At, string Partner, string? Customer, string Endpoint, string? Resource, string Source, string? CustomerSource, bool SecondFactor)
    {
        public CallObservation Observation(RegionTable regions) => new(
            Partner, Customer, Endpoint, Resource is null ? null : "account_id=" + Resource, Source, regions.RegionOf(IPAddress.Parse(Source)),
            CustomerSource, CustomerSource is null ? null : regions.RegionOf(IPAddress.Parse(CustomerSource)), At, 0, SecondFactor);
    }
}
