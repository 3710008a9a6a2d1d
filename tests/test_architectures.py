from gradaudit import architectures


def test_registry_has_every_documented_system():
    ids = set(architectures.registry())
    for required in ["d000-mlp3-sigmoid", "d000-mlp3-tanh", "d001-mlp3-g", "d001-mlp-L-g",
                     "d002-single-sigmoid", "d002-mlp2-tanh-sigmoid", "d002-mlp2-relu-sigmoid",
                     "d002-mlp-L-relu-sigmoid", "d002-mlp-L-relu-softmax", "d002-cnn-sigmoid",
                     "d002-cnn-multi-softmax", "d003-mlp2-sigmoid-mse", "d004-mlp-L-sigmoid-sse",
                     "activations", "d002-chain-toy"]:
        assert required in ids


def test_general_depth_expands_to_L_layers():
    arch = architectures.get("d002-mlp-L-relu-softmax")
    layers = arch.layers_at(4)
    assert [layer.activation for layer in layers] == ["relu", "relu", "relu", "softmax"]
