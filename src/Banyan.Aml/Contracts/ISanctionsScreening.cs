namespace Banyan.Aml.Contracts;

/// <summary>
/// Sanctions screening for other modules: onboarding checks a new customer's name, payments check the beneficiary
/// before releasing a cross-border transfer. Registered in DI by the AML module. Uses the newest uploaded list
/// (<c>POST /v1/aml/sanctions</c>) and the same matcher as the batch scan (docs/aml.md, decision 0402).
/// </summary>
public interface ISanctionsScreening
{
    /// <summary>Screens one name against the newest sanctions list.</summary>
    /// <exception cref="InvalidOperationException">No sanctions list has been loaded yet: the caller must not treat this as "no hit".</exception>
    /// <exception cref="ArgumentException">The name is empty or longer than 200 characters.</exception>
    ValueTask<ScreeningResult> ScreenAsync(ScreeningRequest request, CancellationToken cancellationToken = default);
}

/// <summary>Who to screen.</summary>
/// <param name="Name">The person's or company's name as given (any case, order, punctuation or script the matcher folds).</param>
/// <param name="Country">ISO 3166 alpha-2 country, optional; reported back as whether it equals the entry's country (it never creates or removes a hit).</param>
/// <param name="DateOfBirth">Optional; list.csv carries no dates of birth, so it is accepted for a future list format and not used today.</param>
public sealed record ScreeningRequest(string Name, string? Country = null, DateOnly? DateOfBirth = null);

/// <summary>The outcome of one screening.</summary>
/// <param name="Hit">Whether the name matched a list name or alias at or above the threshold.</param>
/// <param name="Score">Similarity of the best match (0..1); 0 without a candidate.</param>
/// <param name="MatchedName">The list name or alias that matched best, or null.</param>
/// <param name="EntryName">The primary name of the matched entry, or null.</param>
/// <param name="List">The list the entry comes from (e.g. <c>UN</c>, <c>OFAC</c>), or null.</param>
/// <param name="EntryCountry">The entry's country, or null.</param>
/// <param name="CountryMatches">Whether <see cref="ScreeningRequest.Country"/> equals the entry's country; null when either is missing.</param>
/// <param name="ListVersion">The version of the list that was used (1, 2, …).</param>
/// <param name="Threshold">The similarity threshold in force.</param>
public sealed record ScreeningResult(
    bool Hit, double Score, string? MatchedName, string? EntryName, string? List, string? EntryCountry, bool? CountryMatches, long ListVersion, double Threshold);
