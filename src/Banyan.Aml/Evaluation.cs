using System.Text.Json;

namespace Banyan.Aml;

internal sealed record TypologyScore(string Typology, int Planted, int Detected, int Alerts, int TruePositives)
{
    public double Recall => Planted == 0 ? 1 : Detected / (double)Planted;
    public double Precision => Alerts == 0 ? 1 : TruePositives / (double)Alerts;
}

internal sealed record EvaluationResult(IReadOnlyList<TypologyScore> Typologies, int Alerts, int AlertsOnPlanted)
{
    public double PlantedShare => Alerts == 0 ? 1 : AlertsOnPlanted / (double)Alerts;
}

/// <summary>
/// Compares alerts with the ground truth. An alert "points at" a case when it names the case's subject account
/// or shares a transaction with it. Recall: cases of a typology with at least one alert of that typology on them.
/// Precision: alerts of a typology that point at a case of that typology.
/// </summary>
internal static class Evaluation
{
    public static List<GroundTruthCase> ReadTruth(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<GroundTruthCase>(l, AmlConfig.Json)!).ToList();

    public static EvaluationResult Evaluate(IReadOnlyList<GroundTruthCase> truth, IReadOnlyList<Alert> alerts, Bank bank)
    {
        var plantedSubjects = truth.Select(c => c.SubjectAccount).ToHashSet(StringComparer.Ordinal);
        var plantedTxns = truth.SelectMany(c => c.TransactionIds).ToHashSet(StringComparer.Ordinal);
        var views = alerts.Select(a => (a.Typology, Subject: a.Subject >= 0 ? bank.Accounts[a.Subject].Id : "", Txns: a.TransactionSeqs.Select(s => bank.TransactionIds[s]).ToHashSet(StringComparer.Ordinal))).ToList();
        bool Points((string Typology, string Subject, HashSet<string> Txns) alert, GroundTruthCase c) =>
            alert.Subject == c.SubjectAccount || c.TransactionIds.Any(alert.Txns.Contains);
        var scores = new List<TypologyScore>();
        foreach (var typology in Typology.All)
        {
            var cases = truth.Where(c => c.Typology == typology).ToList();
            var mine = views.Where(v => v.Typology == typology).ToList();
            var detected = cases.Count(c => mine.Any(a => Points(a, c)));
            var truePositives = mine.Count(a => cases.Any(c => Points(a, c)));
            scores.Add(new TypologyScore(typology, cases.Count, detected, mine.Count, truePositives));
        }
        var onPlanted = views.Count(v => plantedSubjects.Contains(v.Subject) || v.Txns.Overlaps(plantedTxns));
        return new EvaluationResult(scores, alerts.Count, onPlanted);
    }
}
