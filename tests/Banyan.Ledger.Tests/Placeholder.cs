namespace Banyan.Ledger.Tests; public class Placeholder { [Fact] public void Builds() => Assert.True(typeof(Placeholder).Assembly.GetTypes().Length > 0); }
