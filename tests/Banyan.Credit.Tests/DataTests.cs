using Banyan.Credit.Data;

namespace Banyan.Credit.Tests;

public class DataTests
{
    private static Table Csv(string text) => Banyan.Credit.Data.Csv.Parse(text);

    [Fact]
    public void Csv_honours_quotes_escaped_quotes_and_newlines_inside_fields()
    {
        var table = Csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n1,2,3\n");
        Assert.Equal(["a", "b", "c"], table.Columns);
        Assert.Equal(new string?[] { "x, y", "say \"hi\"", "two\nlines" }, table.Rows[0]);
        Assert.Equal(2, table.Rows.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("NA")]
    [InlineData("?")]
    [InlineData("nan")]
    [InlineData(" null ")]
    public void Missing_tokens_become_missing_values(string token) =>
        Assert.Null(Csv($"a,b\n{token},1\n").Rows[0][0]);

    [Fact]
    public void A_record_with_the_wrong_number_of_fields_is_rejected_with_its_line()
    {
        var error = Assert.Throws<InvalidDataException>(() => Csv("a,b\n1,2\n1,2,3\n"));
        Assert.Contains("record 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_header_names_are_rejected() =>
        Assert.Throws<InvalidDataException>(() => Csv("a,a\n1,2\n"));

    [Fact]
    public void Arff_and_csv_copies_of_credit_g_hold_the_same_rows_and_arff_declares_types()
    {
        var csv = Table.Load(TestData.CreditG);
        var arff = Table.Load(TestData.CreditGArff);
        Assert.Equal(csv.Columns, arff.Columns);
        Assert.Equal(1000, arff.Rows.Count);
        for (var r = 0; r < csv.Rows.Count; r++) Assert.Equal(csv.Rows[r], arff.Rows[r]);
        Assert.Equal(DeclaredType.Numeric, arff.Types[arff.ColumnIndex("duration")]);
        Assert.Equal(DeclaredType.Nominal, arff.Types[arff.ColumnIndex("checking_status")]);
    }

    [Fact]
    public void Inference_types_columns_and_encodes_missing_and_unseen_values_as_NaN()
    {
        var table = Table.Load(TestData.CreditData);
        var rows = Enumerable.Range(0, table.Rows.Count).ToArray();
        var label = table.ColumnIndex("Status");
        var bad = rows.Select(r => table.Rows[r][label] == "bad" ? 1 : 0).ToArray();
        var columns = Enumerable.Range(0, table.Columns.Count).Where(c => c != label).ToArray();
        var schema = FeatureSchema.Infer(table, columns, bad, rows);
        var income = schema.Features.Single(f => f.Name == "Income");
        var home = schema.Features.Single(f => f.Name == "Home");
        Assert.Equal(FeatureKind.Numeric, income.Kind);
        Assert.Equal(FeatureKind.Categorical, home.Kind);
        Assert.True(double.IsNaN(income.Encode(null)));
        Assert.True(double.IsNaN(home.Encode("castle")));
        Assert.Equal(129, income.Encode("129"));
        var x = schema.Encode(table, rows);
        Assert.Contains(x, row => double.IsNaN(row[schema.Features.ToList().IndexOf(income)]));
    }

    [Fact]
    public void Categories_are_coded_by_increasing_smoothed_bad_rate()
    {
        // "c" is always bad, "a" never, "b" half: codes a=0, b=1, c=2.
        var table = Csv("cat,y\n" + string.Concat(Enumerable.Repeat("a,good\nb,good\nb,bad\nc,bad\n", 10)));
        var rows = Enumerable.Range(0, table.Rows.Count).ToArray();
        var bad = rows.Select(r => table.Rows[r][1] == "bad" ? 1 : 0).ToArray();
        var spec = FeatureSchema.Infer(table, [0], bad, rows).Features[0];
        Assert.Equal(["a", "b", "c"], spec.Categories);
    }
}
