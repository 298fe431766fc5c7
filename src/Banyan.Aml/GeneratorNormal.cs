namespace Banyan.Aml;

internal sealed partial class Generator
{
    private static readonly string[] Surnames = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo"];
    private static readonly string[] Given = ["wei", "fang", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong", "yan", "jie", "tao", "ming", "chao", "xia", "ping", "gang", "hua", "hong"];
    private static readonly string[] FirmWords = ["Huaxin", "Jinhai", "Tianrun", "Hengda", "Zhongke", "Xinyuan", "Baoli", "Ruifeng", "Dongfang", "Changjiang"];
    private static readonly string[] Trades = ["Technology", "Trading", "Logistics", "Foods", "Textiles", "Machinery", "Pharma", "Electronics"];
    private static readonly string[] Shops = ["Supermarket", "Restaurant", "Pharmacy", "Electronics", "Bakery", "Bookstore", "Teahouse"];
    private static readonly string[] Occupations = ["teacher", "engineer", "clerk", "nurse", "driver", "student", "retired", "shopkeeper", "programmer"];
    // Sanctions names come from a different syllable set than everyday names, as real lists mostly do.
    private static readonly string[] Syllables = ["vor", "ka", "les", "dim", "tri", "ov", "ar", "zan", "kha", "lid", "mu", "rad", "sel", "im", "ba", "kov", "nik", "ush", "tor", "gen", "bek", "sul", "tan", "dar", "yev", "os", "mir", "gul", "fa", "rez"];
    private static readonly string[] Sectors = ["Shipping", "Petroleum", "Holdings", "Industrial", "Exchange", "Maritime"];
    private static readonly string[] ForeignCountries = ["US", "GB", "SG", "DE", "JP", "HK", "AE"];

    private string PersonName() => $"{Pick(Surnames)} {Capital(Pick(Given))}{(_random.Next(2) == 0 ? Pick(Given) : "")}";

    private string FirmName() => $"{Pick(FirmWords)} {Pick(Trades)} Co., Ltd.";

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    private string SanctionToken()
    {
        var syllables = _random.Next(2, 4);
        var token = string.Concat(Enumerable.Range(0, syllables).Select(_ => Pick(Syllables)));
        return token.Length < 4 ? token + Pick(Syllables) : Capital(token);
    }

    private void MakeSanctionsList()
    {
        var count = Math.Max(100, _options.CasesPerTypology * 10);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (_sanctions.Count < count)
        {
            var company = _random.Next(4) == 0;
            var name = company
                ? $"{SanctionToken()} {Pick(Sectors)} LLC"
                : string.Join(' ', Enumerable.Range(0, _random.Next(2, 4)).Select(_ => SanctionToken()));
            if (!seen.Add(string.Join(' ', SanctionsMatcher.Tokens(name)))) continue;
            var tokens = name.Split(' ');
            string[] aliases = !company && _random.Next(3) == 0 ? [string.Join(' ', tokens.Reverse())] : [];
            _sanctions.Add((name, aliases, Pick(new[] { "KP", "IR", "RU", "SY", "BY" }), Pick(new[] { "UN", "OFAC-SDN", "EU" })));
        }
    }

    private void MakeNormalCustomers()
    {
        _normalCustomers = _options.Customers;
        for (var i = 0; i < _normalCustomers; i++)
        {
            var individual = _random.Next(100) < 85;
            // A few individuals open during the first month; everyone else has years of history and recent activity.
            var newcomer = individual && _random.Next(100) < 2;
            var opened = newcomer ? At(_random.NextDouble() * 30) : At(-_random.Next(365, 3650));
            long? last = newcomer ? null : At(-_random.Next(1, 20));
            var income = individual ? Between(300_000, 3_000_000) : Between(10_000_000, 500_000_000);
            AddCustomer(individual ? PersonName() : FirmName(), individual, income, opened, last, _random.Next(100) < 20 ? 2 : 1);
        }
    }

    private void MakeExternals()
    {
        for (var i = 0; i < 2_000; i++) _externals.Add(NewExternal());
        for (var i = 0; i < 500; i++) _merchants.Add(NewExternal());
    }

    private GenCustomer NormalCustomer(bool? individual = null)
    {
        while (true)
        {
            var c = _customers[_random.Next(_normalCustomers)];
            if (individual is null || c.Individual == individual) return c;
        }
    }

    /// <summary>A time in the period at which the account exists.</summary>
    private long TimeFor(GenAccount account)
    {
        var t = At(_random.NextDouble() * PeriodDays);
        var end = At(PeriodDays);
        return t >= account.Opened ? t : account.Opened + (long)(_random.NextDouble() * (end - account.Opened));
    }

    private void MakeNormalTransactions()
    {
        NormalSalaries();
        var nearMisses = Math.Min(200, _options.Transactions / 100);
        while (_txns.Count < _options.Transactions - nearMisses)
        {
            var roll = _random.Next(100);
            if (roll < 40) NormalCard();
            else if (roll < 62) NormalPersonalTransfer();
            else if (roll < 70) NormalIncoming();
            else if (roll < 78) NormalCash();
            else if (roll < 88) NormalBusiness();
            else NormalWire();
        }
        // Near-miss counterparty names: a listed name with another surname or company word must not match.
        while (_txns.Count < _options.Transactions)
        {
            var (name, _, _, _) = Pick(_sanctions);
            var tokens = name.Split(' ');
            tokens[0] = SanctionToken() + "ski";
            var payer = Pick(NormalCustomer(false).Accounts);
            AddTxn(TimeFor(payer), payer.Id, Pick(_externals), Between(100_000, 5_000_000), "wire", string.Join(' ', tokens), "CN", Pick(ForeignCountries));
        }
    }

    private void NormalCard()
    {
        var account = Pick(NormalCustomer(true).Accounts);
        AddTxn(TimeFor(account), account.Id, Pick(_merchants), Between(1_000, 200_000), "card", $"{Pick(FirmWords)} {Pick(Shops)}");
    }

    private void NormalPersonalTransfer()
    {
        var from = NormalCustomer(true);
        var to = _random.Next(3) == 0 ? null : NormalCustomer();
        var account = Pick(from.Accounts);
        var income = to?.Individual == true ? to.Income : from.Income;
        var amount = Math.Max(1_000, (long)(income * (0.01 + _random.NextDouble() * 0.2)));
        if (to == from) to = null;
        var target = to is null ? null : Pick(to.Accounts);
        var t = target is null ? TimeFor(account) : TimeForBoth(account, target);
        AddTxn(t, account.Id, target?.Id ?? Pick(_externals), amount, "transfer", to?.Name ?? PersonName());
    }

    private void NormalIncoming()
    {
        var to = NormalCustomer(true);
        var account = Pick(to.Accounts);
        AddTxn(TimeFor(account), Pick(_externals), account.Id, Math.Max(1_000, (long)(to.Income * (0.01 + _random.NextDouble() * 0.2))), "transfer", PersonName());
    }

    private void NormalCash()
    {
        var customer = NormalCustomer(true);
        var account = Pick(customer.Accounts);
        // Everyday cash stays below 80% of the cash reporting threshold.
        var amount = Math.Min(3_000_000, Math.Max(10_000, (long)(customer.Income * (0.05 + _random.NextDouble() * 0.25))));
        if (_random.Next(2) == 0) AddTxn(TimeFor(account), "CASH-DESK", account.Id, amount, "cash");
        else AddTxn(TimeFor(account), account.Id, "CASH-DESK", amount, "cash");
    }

    private void NormalBusiness()
    {
        var from = NormalCustomer(false);
        var account = Pick(from.Accounts);
        var large = _random.Next(100) == 0;
        var amount = large ? Between(200_000_000, 600_000_000) : Between(100_000, 50_000_000);
        var to = _random.Next(4) == 0 ? NormalCustomer(false) : null;
        if (to == from) to = null;
        var target = to is null ? null : Pick(to.Accounts);
        var t = target is null ? TimeFor(account) : TimeForBoth(account, target);
        AddTxn(t, account.Id, target?.Id ?? Pick(_externals), amount, "transfer", to?.Name ?? FirmName());
    }

    private void NormalWire()
    {
        var customer = NormalCustomer(false);
        var account = Pick(customer.Accounts);
        var country = Pick(ForeignCountries);
        var amount = Between(1_000_000, 100_000_000);
        var counterparty = $"{Capital(Pick(Given))} {Pick(Trades)} Inc";
        if (_random.Next(2) == 0) AddTxn(TimeFor(account), account.Id, Pick(_externals), amount, "wire", counterparty, "CN", country);
        else AddTxn(TimeFor(account), Pick(_externals), account.Id, amount, "wire", counterparty, country, "CN");
    }

    /// <summary>Most individuals are paid by one employer on the 10th of each month (within the transaction budget).</summary>
    private void NormalSalaries()
    {
        var budget = _options.Transactions / 10;
        for (var i = 0; i < _normalCustomers && _txns.Count < budget; i++)
        {
            var employee = _customers[i];
            if (!employee.Individual || _random.Next(10) < 3) continue;
            var employer = NormalCustomer(false);
            for (var month = 0; month < 2; month++)
            {
                var t = new DateTime(2026, 1 + month, 10, 1, 0, 0, DateTimeKind.Utc).Ticks + Between(0, 4 * Ticks.PerHour);
                if (t < employee.Opened || t < employer.Opened) continue;
                AddTxn(t, Pick(employer.Accounts).Id, Pick(employee.Accounts).Id, employee.Income, "transfer", employer.Name);
            }
        }
    }

    /// <summary>A time in the period at which both accounts exist.</summary>
    private long TimeForBoth(GenAccount a, GenAccount b) => TimeFor(a.Opened >= b.Opened ? a : b);
}
