namespace Banyan.Ledger.Http.Tests;

/// <summary>
/// The bulk path sends result codes as numbers, so their values are wire format: docs/ledger-api.md
/// lists every number with its name, and this test fails if the enums and the document drift apart.
/// </summary>
public sealed class WireCodeTests
{
    private static string ApiDocument()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "ledger-api.md");
            if (File.Exists(candidate)) return File.ReadAllText(candidate);
        }
        throw new FileNotFoundException("docs/ledger-api.md not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Every_transfer_result_code_is_documented_with_its_wire_number()
    {
        var document = ApiDocument();
        var section = document[document.IndexOf("**Transfer results**", StringComparison.Ordinal)..];
        foreach (var result in Enum.GetValues<CreateTransferResult>())
        {
            Assert.Contains($"{(uint)result} `{result.Name()}`", section, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_account_result_code_is_documented_with_its_wire_number()
    {
        var document = ApiDocument();
        var start = document.IndexOf("**Account results**", StringComparison.Ordinal);
        var section = document[start..document.IndexOf("**Transfer results**", StringComparison.Ordinal)];
        foreach (var result in Enum.GetValues<CreateAccountResult>())
        {
            Assert.Contains($"{(uint)result} `{result.Name()}`", section, StringComparison.Ordinal);
        }
    }
}
