using Banyan.Platform;

namespace Banyan.Server;

/// <summary>The modules this host composes. The only module-specific knowledge the host has.</summary>
public static class Modules
{
    /// <summary>A fresh instance of every module, in start-up order.</summary>
    public static IReadOnlyList<IBanyanModule> All() =>
    [
        new Banyan.Ledger.Http.LedgerModule(),
        new Banyan.Credit.CreditModule(),
        new Banyan.Lending.LendingModule(),
        new Banyan.Aml.AmlModule(),
        new Banyan.Payments.PaymentsModule(),
        new Banyan.RegTech.RegTechModule(),
        new Banyan.StaffConsole.ConsoleModule(),
        new Banyan.Gateway.GatewayModule(),
        new Banyan.OpenBanking.OpenBankingModule(),
    ];
}
