namespace Banyan.Aml.Tests;

public class SanctionsMatcherTests
{
    private static SanctionsMatcher Matcher() => new(
    [
        new SanctionsEntry("Ivan Sergeyevich Petrov", ["Petrov Ivan"], "RU", "EU"),
        new SanctionsEntry("Bank Melli Iran", [], "IR", "OFAC-SDN"),
        new SanctionsEntry("Korea Kwangson Banking Corp", ["KKBC"], "KP", "UN"),
        new SanctionsEntry("Acme Trading LLC", [], "SY", "EU"),
        new SanctionsEntry("José Müller", [], "DE", "EU"),
        new SanctionsEntry("Li Wei", [], "CN", "UN"),
        new SanctionsEntry("Ali Hassan Khamenei", [], "IR", "UN"),
    ], 0.88);

    [Theory]
    [InlineData("Ivan Sergeyevich Petrov")]          // exact
    [InlineData("PETROV, Ivan Sergeyevich")]         // case, punctuation, word order
    [InlineData("ivan  sergeyevich  petrov.")]       // spacing, trailing punctuation
    [InlineData("Ivan Sergeyevich Petorv")]          // one typo (transposition)
    [InlineData("Ivan Sergeyevich Petrof")]          // one typo (substitution)
    [InlineData("Иван Сергеевич Петров")]           // Cyrillic transliterated
    [InlineData("Petrov Ivan")]                       // listed alias
    [InlineData("Jose Muller")]                       // diacritics dropped
    [InlineData("JOSÉ MÜLLER")]
    [InlineData("Acme Trading Ltd.")]                 // legal form ignored
    [InlineData("Bank Meli Iran")]                    // one deletion in a 5-letter token
    [InlineData("Khamenei, Ali-Hassan")]
    public void Listed_names_match_through_normalisation_and_one_typo(string name)
    {
        var hit = Matcher().Match(name);
        Assert.NotNull(hit);
        Assert.True(hit.Value.Similarity >= 0.88, $"{name}: {hit.Value.Similarity}");
    }

    [Theory]
    [InlineData("Ivan Sergeyevich Sidorov")]   // another surname
    [InlineData("Acme Shipping LLC")]          // another company
    [InlineData("Bank Mellat Iran")]           // another bank, two edits away
    [InlineData("Li Wai")]                     // short tokens must match exactly
    [InlineData("Ivan Sergeyevich Petrov Smirnov")] // an extra name is another person
    [InlineData("Ali Hassan Khamenei Trading")]
    [InlineData("Petrova Ivanka Sergeyevna")]
    [InlineData("")]
    [InlineData("---")]
    public void Near_miss_names_do_not_match(string name)
    {
        var hit = Matcher().Match(name);
        Assert.True(hit is null, $"{name} matched {hit?.MatchedName} at {hit?.Similarity}");
    }

    [Fact]
    public void Normalisation_folds_case_punctuation_diacritics_and_order()
    {
        Assert.Equal(SanctionsMatcher.Tokens("Müller, José"), SanctionsMatcher.Tokens("jose MULLER"));
        Assert.Equal(["ivan", "petrov"], SanctionsMatcher.Tokens("Петров Иван"));
    }

    [Fact]
    public void Edit_distance_counts_a_transposition_as_one_edit()
    {
        Assert.Equal(1, SanctionsMatcher.Distance("petrov", "petorv", 2));
        Assert.Equal(3, SanctionsMatcher.Distance("melli", "xyzzy", 2));
    }

    [Fact]
    public void Csv_reader_accepts_quotes_and_aliases_and_reports_a_broken_line()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["name,aliases,country,list", "\"Doe, John\",\"J. Doe;Johnny Doe\",US,OFAC", "\"unterminated,,,", "Plain Name,,IR,UN"]);
            var issues = new InputIssues(strict: false, log: null);
            var entries = SanctionsReader.Read(path, issues);
            Assert.Equal(2, entries.Count);
            Assert.Equal("Doe, John", entries[0].Name);
            Assert.Equal(["J. Doe", "Johnny Doe"], entries[0].Aliases);
            Assert.Equal(1, issues.Count);
            Assert.Contains(":3:", issues.First[0], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
