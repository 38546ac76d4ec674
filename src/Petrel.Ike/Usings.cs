// The rooms of the IKE core, visible to each other inside the assembly (README.md draws the layout).
global using Petrel.Ike.Auth;
global using Petrel.Ike.Engine;
global using Petrel.Ike.Sa;
global using Petrel.Ike.V2;
global using Petrel.Ike.V2.CreateChildSa;
global using Petrel.Ike.V2.IkeAuth;
global using Petrel.Ike.V2.IkeIntermediate;
global using Petrel.Ike.V2.IkeSaInit;
global using Petrel.Ike.V2.Informational;
