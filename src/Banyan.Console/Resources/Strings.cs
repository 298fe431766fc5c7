namespace Banyan.StaffConsole.Resources;

/// <summary>Marker for the console's string resources (Strings.resx, Strings.zh-CN.resx).</summary>
internal sealed class Strings;
