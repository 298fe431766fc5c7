namespace Banyan.Aml;

internal sealed partial class Generator
{
    /// <summary>Income high enough that a planted case of one typology does not also look like a profile mismatch.</summary>
    private const long WealthyIncome = 20_000_000;

    private void PlantAll()
    {
        for (var i = 0; i < _options.CasesPerTypology; i++)
        {
            PlantStructuring();
            PlantFan(inbound: true);
            PlantFan(inbound: false);
            PlantPassThrough();
            PlantRoundTrip();
            PlantDormant();
            PlantProfileMismatch();
            PlantVelocity();
            PlantMule();
            PlantHighRisk();
            PlantSanctions();
        }
    }

    private long CaseStart() => At(32 + _random.NextDouble() * 22);

    private GenCustomer PlantedCustomer(bool individual = true, long income = WealthyIncome) =>
        AddCustomer(individual ? PersonName() : FirmName(), individual, income, At(-_random.Next(400, 3000)), At(-_random.Next(1, 15)));

    private void Truth(string typology, GenCustomer subject, List<string> ids) =>
        _truth.Add(new GroundTruthCase(typology, subject.Accounts[0].Id, subject.Id, ids));

    private void PlantStructuring()
    {
        var c = PlantedCustomer();
        var t = CaseStart();
        var ids = new List<string>();
        for (var i = 0; i < _random.Next(3, 5); i++)
        {
            ids.Add(AddTxn(t, "CASH-DESK", c.Accounts[0].Id, Between(4_100_000, 4_990_000), "cash"));
            t += Between(Ticks.PerHour, 6 * Ticks.PerHour);
        }
        Truth(Typology.Structuring, c, ids);
    }

    private void PlantFan(bool inbound)
    {
        var c = PlantedCustomer();
        var t = CaseStart();
        var ids = new List<string>();
        var step = (inbound ? 3 : 1) * Ticks.PerHour;
        for (var i = 0; i < _random.Next(6, 9); i++)
        {
            var other = NewExternal();
            var amount = Between(200_000, 800_000);
            ids.Add(inbound
                ? AddTxn(t, other, c.Accounts[0].Id, amount, "transfer", PersonName())
                : AddTxn(t, c.Accounts[0].Id, other, amount, "transfer", PersonName()));
            t += Between(step / 4, step);
        }
        Truth(inbound ? Typology.FanIn : Typology.FanOut, c, ids);
    }

    private void PlantPassThrough()
    {
        var c = PlantedCustomer();
        var t = CaseStart();
        var ids = new List<string>();
        for (var cycle = 0; cycle < 2; cycle++)
        {
            var amount = Between(6_000_000, 15_000_000);
            ids.Add(AddTxn(t, NewExternal(), c.Accounts[0].Id, amount, "transfer", PersonName()));
            var sent = amount * _random.Next(92, 106) / 100;
            var first = sent / 2;
            var target = NewExternal();
            ids.Add(AddTxn(t + Between(Ticks.PerHour, 6 * Ticks.PerHour), c.Accounts[0].Id, target, first, "transfer", PersonName()));
            ids.Add(AddTxn(t + Between(7 * Ticks.PerHour, 20 * Ticks.PerHour), c.Accounts[0].Id, target, sent - first, "transfer", PersonName()));
            t += Between(2 * Ticks.PerDay, 4 * Ticks.PerDay);
        }
        Truth(Typology.PassThrough, c, ids);
    }

    private void PlantRoundTrip()
    {
        var ring = Enumerable.Range(0, _random.Next(2, 5)).Select(_ => PlantedCustomer()).ToList();
        var t = CaseStart();
        var first = Between(2_000_000, 30_000_000);
        var ids = new List<string>();
        for (var i = 0; i < ring.Count; i++)
        {
            var from = ring[i];
            var to = ring[(i + 1) % ring.Count];
            var amount = i == 0 ? first : first * _random.Next(93, 101) / 100;
            ids.Add(AddTxn(t, from.Accounts[0].Id, to.Accounts[0].Id, amount, "transfer", to.Name));
            t += Between(6 * Ticks.PerHour, 40 * Ticks.PerHour);
        }
        Truth(Typology.RoundTrip, ring[0], ids);
    }

    private void PlantDormant()
    {
        var c = AddCustomer(PersonName(), true, WealthyIncome, At(-_random.Next(800, 3000)), At(-_random.Next(120, 400)));
        var id = AddTxn(CaseStart(), c.Accounts[0].Id, NewExternal(), Between(1_500_000, 30_000_000), "transfer", PersonName());
        Truth(Typology.DormantReactivation, c, [id]);
    }

    private void PlantProfileMismatch()
    {
        var c = PlantedCustomer(income: Between(400_000, 1_000_000));
        var t = CaseStart() - 10 * Ticks.PerDay;
        var total = c.Income * _random.Next(6, 11);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(AddTxn(t, NewExternal(), c.Accounts[0].Id, total / 4, "transfer", PersonName()));
            t += Between(2 * Ticks.PerDay, 6 * Ticks.PerDay);
        }
        Truth(Typology.ProfileMismatch, c, ids);
    }

    private void PlantVelocity()
    {
        var c = PlantedCustomer();
        var spike = CaseStart();
        var shops = Enumerable.Range(0, 3).Select(_ => Pick(_merchants)).ToArray();
        // A month of ordinary spending first, so the spike stands out against the customer's own history.
        for (var day = 30; day >= 2; day--)
            for (var k = 0; k < _random.Next(0, 3); k++)
                AddTxn(spike - day * Ticks.PerDay + Between(0, 12 * Ticks.PerHour), c.Accounts[0].Id, Pick(shops), Between(2_000, 50_000), "card", "Corner Shop");
        var ids = new List<string>();
        var t = spike;
        for (var i = 0; i < _random.Next(12, 19); i++)
        {
            ids.Add(AddTxn(t, c.Accounts[0].Id, Pick(shops), Between(5_000, 300_000), "card", "Corner Shop"));
            t += Between(10 * TimeSpan.TicksPerMinute, 40 * TimeSpan.TicksPerMinute);
        }
        Truth(Typology.VelocitySpike, c, ids);
    }

    private void PlantMule()
    {
        var opened = CaseStart();
        var c = AddCustomer(PersonName(), true, WealthyIncome, opened, null);
        var credits = _random.Next(3, 5);
        var total = Between(5_500_000, 12_000_000);
        var t = opened + Between(Ticks.PerHour, 2 * Ticks.PerDay);
        var firstCredit = t;
        var ids = new List<string>();
        for (var i = 0; i < credits; i++)
        {
            ids.Add(AddTxn(t, NewExternal(), c.Accounts[0].Id, total / credits, "transfer", PersonName()));
            t += Between(Ticks.PerHour, 6 * Ticks.PerHour);
        }
        var sent = total * _random.Next(85, 99) / 100;
        ids.Add(AddTxn(firstCredit + Between(26 * Ticks.PerHour, 46 * Ticks.PerHour), c.Accounts[0].Id, NewExternal(), sent, "transfer", PersonName()));
        Truth(Typology.NewAccountMule, c, ids);
    }

    private void PlantHighRisk()
    {
        var c = PlantedCustomer(individual: _random.Next(2) == 0);
        var country = Pick(new[] { "KP", "IR", "MM" });
        var amount = Between(500_000, 50_000_000);
        var id = _random.Next(2) == 0
            ? AddTxn(CaseStart(), c.Accounts[0].Id, NewExternal(), amount, "wire", $"{Capital(Pick(Given))} Import Export", "CN", country)
            : AddTxn(CaseStart(), NewExternal(), c.Accounts[0].Id, amount, "wire", $"{Capital(Pick(Given))} Import Export", country, "CN");
        Truth(Typology.HighRiskJurisdiction, c, [id]);
    }

    private void PlantSanctions()
    {
        var (name, _, _, _) = Pick(_sanctions);
        var variant = Variant(name);
        if (_random.Next(5) == 0)
        {
            // The customer is the listed party (screened at onboarding and in every scan).
            var listed = AddCustomer(variant, true, WealthyIncome, At(-_random.Next(400, 3000)), At(-_random.Next(1, 15)));
            Truth(Typology.SanctionsMatch, listed, []);
            return;
        }
        var c = PlantedCustomer(individual: false);
        var id = AddTxn(CaseStart(), c.Accounts[0].Id, NewExternal(), Between(1_000_000, 80_000_000), "wire", variant, "CN", Pick(ForeignCountries));
        Truth(Typology.SanctionsMatch, c, [id]);
    }

    /// <summary>How a listed name shows up in payment data: reordered, re-cased, punctuated, accented or with one typo.</summary>
    private string Variant(string name)
    {
        var tokens = name.Split(' ');
        switch (_random.Next(5))
        {
            case 0: return string.Join(' ', tokens.Reverse());
            case 1: return name.ToUpperInvariant();
            case 2: return string.Join(", ", tokens) + ".";
            case 3: return name.Replace('a', 'á').Replace('o', 'ö');
            default:
                var longest = Array.IndexOf(tokens, tokens.MaxBy(t => t.Length));
                var token = tokens[longest].ToCharArray();
                var at = token.Length / 2;
                token[at] = token[at] == 'x' ? 'q' : 'x';
                tokens[longest] = new string(token);
                return string.Join(' ', tokens);
        }
    }
}
