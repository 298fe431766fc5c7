namespace Banyan.Aml.Tests;

public class GeneratorTests
{
    [Fact]
    public void Generated_bank_scanned_finds_every_typology_with_recall_and_planted_share_targets()
    {
        var directory = Path.Combine(Path.GetTempPath(), "banyan-aml-gen-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var report = Cli.BenchCommand.Run(new GeneratorOptions(Customers: 1_000, Transactions: 20_000, Seed: 11, CasesPerTypology: 10), directory, TextWriter.Null);
            var typologies = (Dictionary<string, Dictionary<string, object>>)report["typologies"];
            Assert.Equal(Typology.All.Order(), typologies.Keys.Order());
            foreach (var (typology, figures) in typologies)
            {
                Assert.Equal(10, (int)figures["planted"]);
                Assert.True((double)figures["recall"] >= 0.9, $"{typology} recall {figures["recall"]}");
            }
            Assert.True((double)report["alerts_on_planted_share"] >= 0.8, $"planted share {report["alerts_on_planted_share"]}");
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_same_seed_writes_the_same_files()
    {
        var a = Path.Combine(Path.GetTempPath(), "banyan-aml-seed-" + Guid.NewGuid().ToString("N")[..8]);
        var b = a + "-b";
        try
        {
            new Generator(new GeneratorOptions(100, 2_000, 5, 1)).Write(a);
            new Generator(new GeneratorOptions(100, 2_000, 5, 1)).Write(b);
            foreach (var file in new[] { "customers.jsonl", "transactions.jsonl", "sanctions.csv", "ground_truth.jsonl" })
                Assert.Equal(File.ReadAllText(Path.Combine(a, file)), File.ReadAllText(Path.Combine(b, file)));
        }
        finally
        {
            foreach (var d in new[] { a, b }) if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
        }
    }
}
