using System.Security.Cryptography;
using System.Text;
using Banyan.Aml.RuleSets;
using Banyan.Ledger;
using Banyan.Platform.Money;

namespace Banyan.Aml.Live;

/// <summary>An alert as the live path stores it: the episode's current state (decision 0401) under one stable key.</summary>
internal sealed record LiveAlert(
    string Fingerprint, string Typology, string? SubjectAccount, string? CustomerId, string[] TransactionIds, double Score, string Reason,
    long FirstTicks, int Extensions, RuleSet RuleSet, ulong RaisedAt)
{
    public string Party => CustomerId is not null ? "customer:" + CustomerId : "account:" + SubjectAccount;
}

/// <summary>Money moved between two parties by one transfer (aggregated per day into <c>aml_flows</c>).</summary>
internal readonly record struct Flow(string From, string To, string Currency, int Day, long Amount, long AtUnixMs);

/// <summary>
/// The rule engine fed from ledger transfers (decision 0407), with no I/O: accounts are mapped to parties through the
/// registry, each created transfer becomes a <see cref="Txn"/>, and the alerts raised or extended since the last
/// <see cref="Drain"/> come out as <see cref="LiveAlert"/>s. Single-threaded: only the monitor's loop calls it.
/// </summary>
internal sealed class LiveEngine
{
    /// <summary>Episodes idle longer than this are forgotten: more than every typology's episode gap (30 days).</summary>
    private static readonly long ForgetAfterTicks = 31 * Ticks.PerDay;
    private const int ForgetEvery = 100_000;

    private readonly Bank _bank = new();
    private readonly List<AccountMeta> _meta = [];
    private readonly Dictionary<string, Customer> _customers = new(StringComparer.Ordinal);
    private readonly List<UInt128> _transferIds = [];
    private readonly HashSet<int> _registered = [];
    private readonly AlertSink _sink = new() { Changed = [], KeepAll = false };
    private readonly RuleEngine _engine;
    private readonly Currency _currency;
    private long _lastTicks = long.MinValue;
    private readonly Dictionary<Alert, ulong> _touchedAt = [];

    public LiveEngine(RuleSet ruleSet, Func<SanctionsMatcher?> sanctions)
    {
        RuleSet = ruleSet;
        _currency = Currencies.TryGet(ruleSet.Parameters.Currency, out var c) ? c : throw new FormatException($"rule set {ruleSet.Label}: currency {ruleSet.Parameters.Currency} has no ledger number");
        _engine = new RuleEngine(new RuleContext(_bank, ruleSet.Parameters, _sink), sanctions, part: null, ruleSet.EnabledSet);
    }

    public RuleSet RuleSet { get; }

    /// <summary>The journal record being observed: kept with every alert it raises or extends first since the last <see cref="Drain"/>.</summary>
    public ulong Sequence { get; set; }

    /// <summary>Transfers not assessed: another currency, a zero or over-limit amount, or (pending/void) no money moved.</summary>
    public long Skipped { get; private set; }

    public long Observed { get; private set; }

    /// <summary>Transfers between two accounts of no registered customer (the rest of the bank's ledger): not assessed, not stored.</summary>
    public long Unmonitored { get; private set; }

    private readonly record struct AccountMeta(Channel Channel, ushort Country, int Name, string Party);

    /// <summary>Adds a registry entry; an account already known keeps its first registration (the registry refuses changes).</summary>
    public void Register(MonitoredAccountRow row)
    {
        var index = Intern(row.AccountId);
        var info = _bank.Accounts[index];
        if (!_registered.Add(index)) return;
        var channel = Enum.Parse<Channel>(row.Channel, ignoreCase: true);
        var country = row.Country is null ? Country.None : Country.Pack(row.Country);
        if (row.CustomerId is null)
        {
            _meta[index] = new AccountMeta(channel, country, row.Name is null ? -1 : _bank.Name(row.Name), "account:" + row.AccountId);
            return;
        }
        var isNew = !_customers.TryGetValue(row.CustomerId, out var customer);
        if (customer is null)
        {
            customer = new Customer
            {
                Id = row.CustomerId, Name = row.Name ?? "", Type = row.Kind == "business" ? CustomerType.Business : CustomerType.Individual,
                Country = row.Country, DeclaredMonthlyIncome = row.DeclaredMonthlyIncomeMinor, Index = _bank.Customers.Count,
            };
            _customers[row.CustomerId] = customer;
            _bank.Customers.Add(customer);
        }
        info.Customer = customer;
        info.OpenedAt = row.OpenedAtUnixMs is { } opened ? UnixMsToTicks(opened) : long.MinValue;
        customer.Accounts.Add(index);
        _meta[index] = new AccountMeta(channel, country, -1, "customer:" + row.CustomerId);
        // Screened once, at the registration time: a replay after a restart raises the same episode, not a new one.
        if (isNew && customer.Name.Length > 0) _engine.Sanctions?.ScreenCustomer(customer, UnixMsToTicks(row.RegisteredAtUnixMs));
    }

    /// <summary>Runs one created transfer (as stored: a post carries the accounts and amount it inherited) through every enabled typology.</summary>
    public Flow? Observe(in Transfer transfer)
    {
        if ((transfer.Flags & (TransferFlags.Pending | TransferFlags.VoidPendingTransfer)) != 0 || transfer.Ledger != _currency.Ledger
            || transfer.Amount == UInt128.Zero || transfer.Amount > (UInt128)Limits.MaxAmount)
        {
            Skipped++;
            return null;
        }
        var ticks = DateTime.UnixEpoch.Ticks + checked((long)(transfer.Timestamp / 100));
        if (ticks < _lastTicks) throw new InvalidOperationException("ledger timestamps went back in time");
        _lastTicks = ticks;
        var debit = Intern(transfer.DebitAccountId.ToString());
        var credit = Intern(transfer.CreditAccountId.ToString());
        if (!_bank.Accounts[debit].IsInternal && !_bank.Accounts[credit].IsInternal)
        {
            // No customer on either side: no typology assesses it and no customer's network contains it.
            Unmonitored++;
            return null;
        }
        var (d, c) = (_meta[debit], _meta[credit]);
        var channel = d.Channel != Channel.Transfer ? d.Channel : c.Channel;
        var counterparty = !_bank.Accounts[debit].IsInternal && d.Name >= 0 ? d.Name : !_bank.Accounts[credit].IsInternal ? c.Name : -1;
        var amount = (long)transfer.Amount;
        var seq = _transferIds.Count;
        _transferIds.Add(transfer.Id);
        _engine.Observe(new Txn(ticks, debit, credit, amount, channel, d.Country, c.Country, seq, counterparty));
        if (_sink.Changed!.Count != _touchedAt.Count)
            foreach (var alert in _sink.Changed) _touchedAt.TryAdd(alert, Sequence);
        if (++Observed % ForgetEvery == 0) _sink.Forget(ticks, ForgetAfterTicks);
        var unixMs = (ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
        return new Flow(d.Party, c.Party, _currency.Code, checked((int)(unixMs / 86_400_000)), amount, unixMs);
    }

    /// <summary>The alerts raised or extended since the last call, in their current state.</summary>
    public List<LiveAlert> Drain()
    {
        var result = new List<LiveAlert>(_sink.Changed!.Count);
        foreach (var alert in _sink.Changed!.OrderBy(a => a.FirstTicks)) result.Add(Snapshot(alert, _touchedAt.GetValueOrDefault(alert, Sequence)));
        _sink.Changed!.Clear();
        _touchedAt.Clear();
        return result;
    }

    public int Pending => _sink.Changed!.Count;

    private LiveAlert Snapshot(Alert alert, ulong raisedAt)
    {
        var account = alert.Subject >= 0 ? _bank.Accounts[alert.Subject] : null;
        var key = $"live|{alert.Typology}|{account?.Id}|{alert.FirstTicks}|{RuleSet.Label}";
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var ids = alert.TransactionSeqs.Select(s => _transferIds[s].ToString()).ToArray();
        return new LiveAlert(fingerprint, alert.Typology, account?.Id, account?.Customer?.Id, ids, Math.Round(alert.Score, 3),
            AlertSink.FullReason(alert), alert.FirstTicks, alert.Extensions, RuleSet, raisedAt);
    }

    private int Intern(string accountId)
    {
        var index = _bank.InternAccount(accountId);
        while (_meta.Count <= index) _meta.Add(new AccountMeta(Channel.Transfer, Country.None, -1, "account:" + _bank.Accounts[_meta.Count].Id));
        return index;
    }

    public static long UnixMsToTicks(long unixMs) => DateTime.UnixEpoch.Ticks + unixMs * TimeSpan.TicksPerMillisecond;
}
