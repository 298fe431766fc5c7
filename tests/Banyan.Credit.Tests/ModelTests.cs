using System.Text.Json;
using Banyan.Credit.Fairness;
using Banyan.Credit.Learning;
using Banyan.Credit.Model;

namespace Banyan.Credit.Tests;

public class ModelTests
{
    private static ModelDocument Train(int seed, int trees = 50) =>
        Trainer.Train(TestData.CreditGTable, Enumerable.Range(0, 1000).ToArray(), new TrainRequest
        {
            Label = "class", BadValue = "bad", Protected = new ProtectedGroup("foreign_worker", "no"),
            Boosting = new BoostingOptions { Trees = trees, Seed = seed },
        }, TextWriter.Null);

    [Fact]
    public void Training_is_deterministic_for_a_seed_and_changes_with_it()
    {
        var a = JsonSerializer.Serialize(Train(7), ModelDocument.Json);
        var b = JsonSerializer.Serialize(Train(7), ModelDocument.Json);
        var c = JsonSerializer.Serialize(Train(8), ModelDocument.Json);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void A_saved_model_scores_exactly_like_the_trained_one()
    {
        var document = Train(1);
        var path = Path.Combine(Path.GetTempPath(), "banyan-credit-roundtrip-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        try
        {
            CreditModel.Save(document, path);
            var loaded = CreditModel.Load(path);
            var original = new CreditModel(document);
            var x = original.Schema.Encode(TestData.CreditGTable, Enumerable.Range(0, 1000).ToArray());
            foreach (var row in x) Assert.Equal(original.Margin(row), loaded.Margin(row));
            Assert.Equal(document.Decision, loaded.Document.Decision);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Gradient_boosting_reaches_the_auc_target_on_credit_g_and_beats_the_logistic_baseline()
    {
        var request = new TrainRequest { Label = "class", BadValue = "bad" };
        var data = Pipeline.Prepare(TestData.CreditGTable, Enumerable.Range(0, 1000).ToArray(), request);
        var trees = Metrics.Auc(Pipeline.CrossValidate(data, 5, 42, false, CreditModel.TreesAlgorithm, request.Boosting), data.Bad);
        var logistic = Metrics.Auc(Pipeline.CrossValidate(data, 5, 42, false, CreditModel.LinearAlgorithm, request.Boosting), data.Bad);
        Assert.True(trees >= 0.78, $"trees {trees}");
        Assert.True(trees >= logistic, $"trees {trees} < logistic {logistic}");
    }

    [Fact]
    public void Training_from_arff_gives_the_same_model_as_from_csv()
    {
        ModelDocument TrainOn(string path)
        {
            var table = Banyan.Credit.Data.Table.Load(path);
            return Trainer.Train(table, Enumerable.Range(0, table.Rows.Count).ToArray(), new TrainRequest
            {
                Label = "class", BadValue = "bad", Boosting = new BoostingOptions { Trees = 20 },
            }, TextWriter.Null);
        }
        var csv = JsonSerializer.Serialize(TrainOn(TestData.CreditG), ModelDocument.Json);
        var arff = JsonSerializer.Serialize(TrainOn(TestData.CreditGArff), ModelDocument.Json);
        Assert.Equal(csv, arff);
    }

    [Fact]
    public void A_model_file_of_another_version_is_refused()
    {
        var document = Train(1, trees: 5) with { Version = 99 };
        Assert.Throws<InvalidDataException>(() => new CreditModel(document));
    }

    [Fact]
    public void A_tree_whose_child_covers_do_not_add_up_is_refused() =>
        Assert.Throws<InvalidDataException>(() => new Tree([0, -1, -1], [0.5, 0, 0], [true, false, false], [1, -1, -1], [2, -1, -1], [0, 1, 2], [10, 3, 3]));

    [Fact]
    public void Every_node_cover_counts_the_training_rows_that_reached_it()
    {
        var document = Train(3, trees: 10);
        var subsample = new BoostingOptions().Subsample;
        foreach (var tree in document.Ensemble!.Trees)
        {
            Assert.Equal(Math.Ceiling(subsample * 1000), tree.Nodes[0].Cover);
            foreach (var node in tree.Nodes.Where(n => n.Left >= 0))
                Assert.Equal(node.Cover, tree.Nodes[node.Left].Cover + tree.Nodes[node.Right].Cover);
        }
    }
}
