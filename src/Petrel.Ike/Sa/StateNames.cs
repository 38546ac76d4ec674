namespace Petrel.Ike.Sa;

/// <summary>Upper-case state names as the CLI, JSON and dashboard show them.</summary>
internal static class StateNames
{
    public static string Of(IkeSaState state) => state switch
    {
        IkeSaState.Created => "CREATED",
        IkeSaState.Connecting => "CONNECTING",
        IkeSaState.Established => "ESTABLISHED",
        IkeSaState.Passive => "PASSIVE",
        IkeSaState.Rekeying => "REKEYING",
        IkeSaState.Rekeyed => "REKEYED",
        IkeSaState.Deleting => "DELETING",
        _ => "DESTROYING",
    };

    public static string Of(ChildSaState state) => state switch
    {
        ChildSaState.Created => "CREATED",
        ChildSaState.Routed => "ROUTED",
        ChildSaState.Installing => "INSTALLING",
        ChildSaState.Installed => "INSTALLED",
        ChildSaState.Updating => "UPDATING",
        ChildSaState.Rekeying => "REKEYING",
        ChildSaState.Rekeyed => "REKEYED",
        ChildSaState.Retrying => "RETRYING",
        ChildSaState.Deleting => "DELETING",
        ChildSaState.Deleted => "DELETED",
        _ => "DESTROYING",
    };
}
